using System.Diagnostics;
using System.Globalization;
using IoTIdentity.DeviceAgent.State;
using Microsoft.Extensions.Logging;

namespace IoTIdentity.DeviceAgent;

/// <summary>
/// <see cref="AgentOptions.OnRenewed"/> (<c>--exec</c>): a shell command run after each new identity is stored, to
/// reload what uses it (mosquitto, nginx, ...). It sees <c>IOTID_DEVICE_ID</c>, <c>IOTID_SERIAL</c>,
/// <c>IOTID_NOT_AFTER</c> and the stable paths <c>IOTID_CERT</c>, <c>IOTID_CHAIN</c>, <c>IOTID_KEY</c>. Its failure
/// is logged and does not undo the renewal.
/// </summary>
internal static class RenewalHook
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    public static async Task RunAsync(string command, IdentityStore store, StoredIdentity identity, ILogger logger, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        start.Environment["IOTID_DEVICE_ID"] = identity.Metadata.DeviceId;
        start.Environment["IOTID_SERIAL"] = identity.Metadata.SerialNumber;
        start.Environment["IOTID_NOT_AFTER"] = identity.Metadata.NotAfter.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        start.Environment["IOTID_CERT"] = store.StablePath(IdentityStore.CertificateFile);
        start.Environment["IOTID_CHAIN"] = store.StablePath(IdentityStore.ChainFile);
        start.Environment["IOTID_KEY"] = store.StablePath(IdentityStore.KeyFile);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardInput.Close();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                AgentLog.HookFailed(logger, command, $"still running after {Timeout}; killed");
                return;
            }
            if (process.ExitCode != 0) AgentLog.HookFailed(logger, command, $"exit code {process.ExitCode}");
            else AgentLog.HookRan(logger, command);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            AgentLog.HookFailed(logger, command, e.Message);
        }
    }
}
