using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Session;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>
/// OpenSSL's random generators stay the default provider's once the tpm2 provider is in the process
/// (<see cref="OpenSslTpm2.KeepRandomInSoftware"/>): a process that cannot guarantee it — its random generator was made
/// before the agent's entry point could pin it, as in this test host — never loads the provider, so no thread of it
/// draws random bytes from the TPM over the connection its handshakes use. (The agent process itself is covered end to
/// end by <see cref="AuthenticatedSessionTests"/>, where a re-enrolment after revocation used to stop the daemon.)
/// </summary>
public sealed class OpenSslRandomTests
{
    [Fact]
    public void A_process_whose_random_generator_was_made_before_it_could_be_kept_in_software_refuses_the_tpm2_provider()
    {
        RandomNumberGenerator.Fill(stackalloc byte[16]);   // OpenSSL's primary generator exists from here on

        Assert.False(OpenSslTpm2.KeepRandomInSoftware());
        var refusal = OpenSslTpm2.Load(TabrmdProcess.Tcti);

        Assert.NotNull(refusal);
        Assert.Contains("random generator", refusal, StringComparison.Ordinal);
        RandomNumberGenerator.Fill(stackalloc byte[16]);   // and the process's own random bytes still come
    }
}
