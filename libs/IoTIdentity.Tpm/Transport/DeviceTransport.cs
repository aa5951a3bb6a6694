namespace IoTIdentity.Tpm.Transport;

/// <summary>
/// A Linux TPM character device: <c>/dev/tpmrm0</c> (the kernel's resource manager, which swaps transient
/// objects and sessions per open file, so several processes can share the TPM) or <c>/dev/tpm0</c> (raw, one
/// user at a time). The kernel protocol is one write() of a whole command, then read()s of the response.
/// Character devices do not support overlapped I/O, so the blocking calls run on a thread-pool thread.
/// </summary>
/// <remarks>
/// The kernel returns the whole response to one read() (partial reads are only supported since Linux 5.3),
/// so the first read asks for the full cap; the header is then validated and, if the kernel handed over less
/// than responseSize, the rest is read exactly. A blocking read cannot be interrupted: on cancellation or
/// timeout the call returns at once, the read finishes in the background, and the transport refuses further
/// use.
/// </remarks>
public sealed class DeviceTransport : ITpmTransport
{
    /// <summary>The resource-managed TPM device, the right default for applications.</summary>
    public const string DefaultPath = "/dev/tpmrm0";

    private readonly Stream _device;
    private readonly TpmTransportOptions _options;
    private readonly TransportGate _gate;

    internal DeviceTransport(Stream device, string path, TpmTransportOptions options)
    {
        _device = device;
        _options = options;
        Path = path;
        _gate = new TransportGate("device://" + path, options.ResponseTimeout);
    }

    /// <summary>The device path this transport opened.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens <paramref name="path"/> for reading and writing. A missing device or a permission problem is a
    /// <see cref="TpmTransportException"/> that says what to check.
    /// </summary>
    public static DeviceTransport Open(string path = DefaultPath, TpmTransportOptions? options = null)
    {
        options ??= TpmTransportOptions.Default;
        options.Validate();
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
            return new DeviceTransport(stream, path, options);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TpmTransportException(
                $"TPM device {path} does not exist: is there a TPM 2.0 and is its kernel driver (tpm_tis, tpm_crb) loaded?", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new TpmTransportException(
                $"no permission to open TPM device {path}: run as a member of the 'tss' group (or root)", e);
        }
        catch (IOException e)
        {
            throw new TpmTransportException($"cannot open TPM device {path}: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    public Task<byte[]> SendAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        TpmWire.ValidateCommand(command.Span);
        var copy = command.ToArray();
        return _gate.RunAsync(ct => Task.Run(() => Exchange(copy), CancellationToken.None).WaitAsync(ct), cancellationToken);
    }

    /// <summary>Closes the device; the kernel flushes the transient objects and sessions this handle owned.</summary>
    public async ValueTask DisposeAsync()
    {
        await _device.DisposeAsync().ConfigureAwait(false);
        await _gate.CloseAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private byte[] Exchange(byte[] command)
    {
        _device.Write(command, 0, command.Length);
        var buffer = new byte[_options.MaxResponseSize];
        var read = 0;
        int size = -1;
        while (size < 0 || read < size)
        {
            var n = _device.Read(buffer, read, (size < 0 ? buffer.Length : size) - read);
            if (n == 0)
                throw new TpmTransportException($"device://{Path}: end of file after {read} bytes of the response");
            read += n;
            if (size < 0 && read >= TpmWire.HeaderSize)
            {
                size = TpmWire.ParseResponseHeader(buffer, _options.MaxResponseSize, "device://" + Path);
                if (read > size)
                    throw new TpmTransportException($"device://{Path}: read {read} bytes but responseSize is {size}");
            }
        }
        return buffer.AsSpan(0, size).ToArray();
    }
}
