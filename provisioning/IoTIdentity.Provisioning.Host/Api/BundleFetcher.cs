using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace IoTIdentity.Provisioning.Host.Api;

/// <summary>
/// Fetches an external trust domain's SPIFFE bundle for its tenant's owner — only when the owner creates or refreshes a
/// federation, never for an anonymous reader of the federated bundle set. Checks, in order: the URL is absolute http(s);
/// its host resolves to at least one public address (<see cref="PublicAddresses"/>, unless
/// <see cref="BundleFetchOptions.AllowPrivateBundleAddresses"/>); the connection goes only to such an address (checked
/// again as the socket connects, so a name that re-resolves elsewhere gains nothing); no redirect is followed; the
/// answer is 200 within <see cref="BundleFetchOptions.BundleFetchTimeout"/> and at most
/// <see cref="BundleFetchOptions.MaxBundleBytes"/>; it is a JSON object with a <c>keys</c> array.
/// </summary>
public sealed class BundleFetcher : IDisposable
{
    private readonly BundleFetchOptions _options;
    private readonly HttpClient _http;

    public BundleFetcher(IOptions<BundleFetchOptions> options)
    {
        _options = options.Value;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The bundle's JSON text, or why it was not taken (a sentence for the owner).</summary>
    public async Task<(string? Bundle, string? Problem)> FetchAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            return (null, "bundleUrl must be an absolute http(s) URL");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.BundleFetchTimeout);
        try
        {
            if ((await AllowedAddressesAsync(uri.IdnHost, timeout.Token)).Length == 0)
                return (null, $"{uri.Host} is not a public address (loopback, private and link-local addresses are refused)");
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode != HttpStatusCode.OK) return (null, $"the bundle URL answered {(int)response.StatusCode}, not 200 (redirects are not followed)");
            if (response.Content.Headers.ContentLength > _options.MaxBundleBytes) return (null, $"the bundle is larger than {_options.MaxBundleBytes} bytes");
            var body = await ReadLimitedAsync(await response.Content.ReadAsStreamAsync(timeout.Token), timeout.Token);
            if (body is null) return (null, $"the bundle is larger than {_options.MaxBundleBytes} bytes");
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("keys", out var keys) && keys.ValueKind == JsonValueKind.Array
                ? (document.RootElement.GetRawText(), null)
                : (null, "the bundle is not a JSON object with a keys array");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, $"the bundle URL did not answer within {_options.BundleFetchTimeout.TotalSeconds:0.#} s");
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or JsonException or IOException)
        {
            return (null, $"the bundle could not be fetched: {e.Message}");
        }
    }

    private async Task<byte[]?> ReadLimitedAsync(Stream stream, CancellationToken cancellationToken)
    {
        await using (stream)
        {
            var buffer = new byte[_options.MaxBundleBytes + 1];
            var read = 0;
            while (read < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
                if (n == 0) return buffer[..read];
                read += n;
            }
            return null;
        }
    }

    private async Task<IPAddress[]> AllowedAddressesAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        return _options.AllowPrivateBundleAddresses ? addresses : addresses.Where(PublicAddresses.IsPublic).ToArray();
    }

    /// <summary>Connects only to an allowed address of the host, resolved here (not by the handler), so what was checked is what is reached.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await AllowedAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        if (addresses.Length == 0) throw new HttpRequestException($"{context.DnsEndPoint.Host} is not a public address");
        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw new HttpRequestException($"could not connect to {context.DnsEndPoint.Host}", last);
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();
}
