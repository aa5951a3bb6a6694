namespace IoTIdentity.Simulator.Swtpm;

/// <summary>What a finished child process left behind.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with both streams in the message unless the exit code is 0.</summary>
    public ProcessResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
            throw new InvalidOperationException(
                $"{what} exited with {ExitCode}.\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}");
        return this;
    }
}
