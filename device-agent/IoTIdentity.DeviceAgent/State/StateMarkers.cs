using System.Globalization;
using System.Text;

namespace IoTIdentity.DeviceAgent.State;

/// <summary>
/// Why the agent stopped trying, beside the identity in the state directory: <c>revoked</c> (a revoke command, or
/// the service refusing the device as revoked; the daemon waits for <c>iotid-agent enroll</c>) and <c>refused</c>
/// (another refusal that needs an operator: its name and when; the daemon tries again only after
/// <see cref="AgentOptions.RefusedRetry"/>). A successful enrolment clears both. Beside them, <c>session</c> records
/// the class of the agent's last MQTT session (see <see cref="SessionRecord"/>), for <c>iotid-agent status</c>.
/// </summary>
public sealed class StateMarkers(string directory)
{
    private string RevokedPath => Path.Combine(directory, "revoked");
    private string RefusedPath => Path.Combine(directory, "refused");
    private string SessionPath => Path.Combine(directory, "session");

    /// <summary>Whether the identity was revoked.</summary>
    public bool IsRevoked => File.Exists(RevokedPath);

    /// <summary>What revoked it: <c>command {id}</c> or <c>refused</c>.</summary>
    public string? RevokedBy => IsRevoked ? File.ReadAllText(RevokedPath).Trim() : null;

    /// <summary>The last refusal that needs an operator, and when it came; null when there is none.</summary>
    public (string Error, DateTimeOffset At)? Refusal
    {
        get
        {
            if (!File.Exists(RefusedPath)) return null;
            var lines = File.ReadAllLines(RefusedPath);
            return lines.Length >= 2 && DateTimeOffset.TryParse(lines[1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                ? (lines[0], at)
                : null;
        }
    }

    /// <summary>The class of the last session the agent opened, and why; null before the first.</summary>
    public SessionRecord? Session
    {
        get
        {
            if (!File.Exists(SessionPath)) return null;
            var lines = File.ReadAllLines(SessionPath);
            return lines.Length >= 5 && DateTimeOffset.TryParse(lines[3], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
                ? new SessionRecord(lines[0] == SessionRecord.AuthenticatedClass, lines[1].Length == 0 ? null : lines[1], lines[2] == "refused", at, lines[4])
                : null;
        }
    }

    /// <summary>Records the session the agent just opened.</summary>
    public void MarkSession(SessionRecord session) => Write(SessionPath,
        $"{(session.Authenticated ? SessionRecord.AuthenticatedClass : SessionRecord.EnrolmentOnlyClass)}\n{session.Serial}\n{(session.CertificateRefused ? "refused" : "-")}\n{session.At.UtcDateTime:O}\n{session.Reason.ReplaceLineEndings(" ")}");

    /// <summary>Marks the identity revoked by <paramref name="by"/>.</summary>
    public void MarkRevoked(string by) => Write(RevokedPath, by);

    /// <summary>Records a refusal that needs an operator.</summary>
    public void MarkRefused(string error, DateTimeOffset at) => Write(RefusedPath, $"{error}\n{at.UtcDateTime:O}");

    /// <summary>Removes both markers.</summary>
    public void Clear()
    {
        var removed = false;
        foreach (var path in new[] { RevokedPath, RefusedPath })
        {
            if (!File.Exists(path)) continue;
            File.Delete(path);
            removed = true;
        }
        if (removed) DurableFiles.SyncDirectory(directory);
    }

    private void Write(string path, string content)
    {
        DurableFiles.CreatePrivateDirectory(directory);
        DurableFiles.WriteAtomically(path, Encoding.UTF8.GetBytes(content + "\n"));
    }
}
