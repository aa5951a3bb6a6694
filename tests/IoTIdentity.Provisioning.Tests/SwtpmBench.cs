using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;

namespace IoTIdentity.Provisioning.Tests;

/// <summary>
/// What the end-to-end test classes share: one swtpm process per class, a TPM client on it, and a manufacturer CA
/// (ECDSA) that issues the EK certificates of the devices the tests manufacture on it.
/// </summary>
public abstract class SwtpmBench : IAsyncLifetime
{
    /// <summary>The class's swtpm process.</summary>
    protected SwtpmProcess Swtpm { get; private set; } = null!;

    /// <summary>A client on <see cref="Swtpm"/> (it does not own the transport).</summary>
    protected TpmClient Tpm { get; private set; } = null!;

    /// <summary>The class's manufacturer CA.</summary>
    protected ManufacturerCa Manufacturer { get; } = ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true });

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        Swtpm = await SwtpmProcess.StartAsync();
        Tpm = new TpmClient(Swtpm.Transport, ownsTransport: false);
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await Swtpm.DisposeAsync();
        Manufacturer.Dispose();
    }
}
