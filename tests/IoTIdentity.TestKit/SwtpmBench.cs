using IoTIdentity.Simulator.Swtpm;
using IoTIdentity.Simulator.Swtpm.Manufacturing;
using IoTIdentity.Tpm.Commands;
using Xunit;

namespace IoTIdentity.TestKit;

/// <summary>
/// One swtpm process, a TPM client on it, and a manufacturer CA (ECDSA) of the bench's own that issues the EK
/// certificates of the devices made on it (<see cref="VirtualDevices"/>). A test class derives from it to get one per
/// test (xunit starts it before and stops it after each); a test or fixture that wants one of its own calls
/// <see cref="StartAsync"/>.
/// </summary>
public class SwtpmBench : IAsyncLifetime, IAsyncDisposable
{
    private readonly SwtpmOptions? _options;
    private readonly Lazy<ManufacturerCa> _manufacturer = new(() => ManufacturerCa.Create(new ManufacturerCaOptions { EcdsaKeys = true }));
    private readonly SemaphoreSlim _tpmLock = new(1, 1);
    private bool _disposed;

    /// <summary>A bench whose swtpm starts with <paramref name="options"/> (swtpm's defaults without).</summary>
    public SwtpmBench(SwtpmOptions? options = null) => _options = options;

    /// <summary>The bench's swtpm process (its own EK certificates come from <see cref="SwtpmProcess.ManufacturerCa"/>).</summary>
    public SwtpmProcess Swtpm { get; private set; } = null!;

    /// <summary>A client on <see cref="Swtpm"/> (it does not own the transport); a test that reconnects replaces it.</summary>
    public TpmClient Tpm { get; protected set; } = null!;

    /// <summary>The bench's manufacturer CA, made on first use; no other bench's devices chain to it.</summary>
    public ManufacturerCa Manufacturer => _manufacturer.Value;

    /// <summary>A started bench, for a test or fixture to dispose.</summary>
    public static async Task<SwtpmBench> StartAsync(SwtpmOptions? options = null)
    {
        var bench = new SwtpmBench(options);
        await bench.InitializeAsync();
        return bench;
    }

    /// <summary>Starts the swtpm; a derived test class that sets up more calls this first.</summary>
    public virtual async Task InitializeAsync()
    {
        Swtpm = await SwtpmProcess.StartAsync(_options);
        Tpm = new TpmClient(Swtpm.Transport, ownsTransport: false);
    }

    /// <summary>
    /// Runs <paramref name="flow"/> on <see cref="Tpm"/> once no other flow does: a swtpm serves one command stream,
    /// so tests that share a bench across concurrent tests go through here.
    /// </summary>
    public async Task<T> OnTpmAsync<T>(Func<TpmClient, Task<T>> flow)
    {
        await _tpmLock.WaitAsync();
        try
        {
            return await flow(Tpm);
        }
        finally
        {
            _tpmLock.Release();
        }
    }

    /// <summary>Stops the swtpm and disposes the manufacturer; a derived test class that cleans up more calls this last.</summary>
    public virtual async Task DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (Swtpm is not null) await Swtpm.DisposeAsync();
        if (_manufacturer.IsValueCreated) _manufacturer.Value.Dispose();
        _tpmLock.Dispose();
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
}
