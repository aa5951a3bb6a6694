using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Tpm.Transport;

namespace IoTIdentity.Tpm.Tests.Transport;

/// <summary>The TCTI transport (libtss2-tctildr) against a real swtpm, through tpm2-tss's own swtpm TCTI.</summary>
public sealed class TctiTransportTests
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [Fact]
    public async Task Swtpm_answers_GetRandom_through_the_tpm2_tss_swtpm_TCTI()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await swtpm.ReleaseTransportAsync();

        await using var transport = await TpmTransports.OpenAsync($"tcti:swtpm:host=127.0.0.1,port={swtpm.DataPort}", cancellationToken: Timeout);

        Assert.IsType<TctiTransport>(transport);
        var first = TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        var second = TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task A_TPM_that_stops_answering_is_a_timeout_and_the_transport_is_released_at_once_without_freeing_the_blocked_call()
    {
        await using var swtpm = await SwtpmProcess.StartAsync(cancellationToken: Timeout);
        await swtpm.ReleaseTransportAsync();
        var transport = await TpmTransports.OpenAsync($"tcti:swtpm:host=127.0.0.1,port={swtpm.DataPort}",
            new TpmTransportOptions { ResponseTimeout = TimeSpan.FromSeconds(1) }, Timeout);
        TpmCommands.AssertRandom16(await transport.SendAsync(TpmCommands.GetRandom16, Timeout));
        Assert.Equal(0, Signal(swtpm.ProcessId, "STOP"));
        try
        {
            var error = await Assert.ThrowsAsync<TpmTransportException>(() => transport.SendAsync(TpmCommands.GetRandom16, Timeout));
            Assert.Contains("no response within 1 s", error.Message, StringComparison.Ordinal);

            // the native receive is still blocked: disposing waits a few seconds for it, then leaves its context alone
            var disposing = System.Diagnostics.Stopwatch.StartNew();
            await transport.DisposeAsync();
            Assert.InRange(disposing.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
        }
        finally
        {
            Assert.Equal(0, Signal(swtpm.ProcessId, "CONT"));
        }
        // the TPM answers the blocked receive now, into memory that is still its own (a freed context here crashed or
        // corrupted the process); give it the moment to land
        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    private static int Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        return kill.ExitCode;
    }

    [Fact]
    public async Task A_TCTI_that_cannot_reach_its_TPM_is_a_transport_error_naming_it()
    {
        var error = await Assert.ThrowsAsync<TpmTransportException>(() => TpmTransports.OpenAsync("tcti:swtpm:host=127.0.0.1,port=1", cancellationToken: Timeout));

        Assert.Contains("tcti:swtpm:host=127.0.0.1,port=1", error.Message);
    }

    [Fact]
    public async Task A_TCTI_that_does_not_exist_is_a_transport_error()
    {
        var error = await Assert.ThrowsAsync<TpmTransportException>(() => TpmTransports.OpenAsync("tcti:no-such-tcti", cancellationToken: Timeout));

        Assert.Contains("could not be loaded", error.Message);
    }
}
