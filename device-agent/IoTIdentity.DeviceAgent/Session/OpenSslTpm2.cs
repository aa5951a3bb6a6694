using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace IoTIdentity.DeviceAgent.Session;

/// <summary>
/// OpenSSL's tpm2 provider (tpm2-openssl) in this process's default library context, where .NET's TLS (SslStream)
/// runs, so that a TLS handshake signs with the TPM-resident device key.
/// </summary>
/// <remarks>
/// Why it is done this way (OpenSSL 3.0, as Debian 12 ships it):
/// <list type="bullet">
/// <item>A key from <c>SafeEvpPKeyHandle.OpenKeyFromProvider</c> belongs to a provider instance of its own, not the
/// one the handshake would fetch its signature algorithm from; the handshake then fails with <c>SSL routines::EVP
/// lib</c> (or the TPM refuses the foreign object handle). So the provider is loaded here into the default context,
/// and the TSS2 key file is read through <c>OSSL_STORE</c> in that context.</item>
/// <item>OpenSSL 3.0 picks an algorithm's implementation by fetching it with the default property query, not from
/// the key's provider (3.2 does); with both providers loaded, that choice is arbitrary, and tpm2's ECDSA cannot sign
/// with a software key. So outside a handshake the default query is <c>?provider=default</c> (everything else in
/// the process keeps using the software implementations) and during one it is <c>?provider=tpm2,tpm2.digest!=yes</c>
/// (tpm2-openssl's signature, key management and key exchange; hashing stays in software) — the query
/// <c>openssl s_client -propquery</c> uses. Handshakes are serialized, and software private-key operations must not
/// run in this process during one (the agent has none).</item>
/// <item>The provider keeps one connection to the TPM for the life of the process, so the TPM must sit behind a
/// resource manager the agent shares: the kernel's (<c>/dev/tpmrm0</c>) or tpm2-abrmd.</item>
/// <item>TLS 1.2 does not complete with the tpm2 preference (no shared cipher); authenticated sessions use TLS 1.3.</item>
/// <item>Every random generator OpenSSL makes in this process is the default provider's CTR-DRBG
/// (<see cref="KeepRandomInSoftware"/>, at the agent's entry point). A primary generator made during a handshake was
/// the TPM's and could not seed software ones ("error instantiating drbg" in `iotid-agent token` without the daemon,
/// whose first random bytes were its handshake's). OpenSSL makes a thread's generators when the thread
/// first draws random bytes, fetching them with the default property query of that moment: a thread that first did so
/// during a handshake got tpm2-openssl's generator (named CTR-DRBG too), which draws from the TPM over the provider's
/// one ESYS context — and kept it. Drawing random bytes there while another thread's handshake used that context
/// failed ("Esys called in bad sequence", then "generate error" from .NET's RandomNumberGenerator), which stopped the
/// daemon at a re-enrolment (seen as a silent agent in <c>AuthenticatedSessionTests</c>, about one run in eight).</item>
/// </list>
/// </remarks>
internal static class OpenSslTpm2
{
    private const string Crypto = "libcrypto.so.3";
    private const string Libc = "libc";
    private const string Software = "?provider=default";
    private const string Tpm = "?provider=tpm2,tpm2.digest!=yes";
    private const int StoreInfoPrivateKey = 4;

    private static readonly SemaphoreSlim Handshakes = new(1, 1);
    private static bool _randomInSoftware;
    private static readonly Lock Gate = new();
    private static string? _tcti;
    private static string? _failure;

    /// <summary>
    /// Loads the provider once, reaching the TPM through <paramref name="tcti"/> (a tpm2-tss TCTI configuration);
    /// returns why it cannot be used, or null. Later calls must name the same TCTI.
    /// </summary>
    public static string? Load(string tcti)
    {
        lock (Gate)
        {
            if (_tcti is not null) return _tcti == tcti ? _failure : $"the tpm2 provider is already loaded for {_tcti}";
            _tcti = tcti;
            _failure = LoadCore(tcti);
            return _failure;
        }
    }

    /// <summary>
    /// Reads the TSS2 private key file at <paramref name="path"/> through the provider (which loads it into the TPM)
    /// and returns it as an <see cref="ECDsa"/> whose signatures the TPM makes.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static ECDsa LoadKey(string path)
    {
        var store = OSSL_STORE_open_ex(path, 0, null, 0, 0, 0, 0, 0);
        if (store == 0) throw new CryptographicException($"OpenSSL cannot open {path}: {LastError()}");
        nint key = 0;
        try
        {
            while (key == 0 && OSSL_STORE_eof(store) == 0)
            {
                var info = OSSL_STORE_load(store);
                if (info == 0) continue;
                if (OSSL_STORE_INFO_get_type(info) == StoreInfoPrivateKey) key = OSSL_STORE_INFO_get1_PKEY(info);
                OSSL_STORE_INFO_free(info);
            }
        }
        finally
        {
            OSSL_STORE_close(store);
        }
        if (key == 0) throw new CryptographicException($"no private key in {path}: {LastError()}");
        using var handle = new SafeEvpPKeyHandle(key, ownsHandle: true);
        return new ECDsaOpenSsl(handle);
    }

    /// <summary>Runs <paramref name="handshake"/> (a TLS connect) with the TPM's implementations preferred, one at a time.</summary>
    public static async Task<T> HandshakeAsync<T>(Func<Task<T>> handshake, CancellationToken cancellationToken)
    {
        await Handshakes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            SetDefaultProperties(Tpm);
            return await handshake().ConfigureAwait(false);
        }
        finally
        {
            SetDefaultProperties(Software);
            Handshakes.Release();
        }
    }

    /// <summary>
    /// Has OpenSSL make every random generator of this process — the primary one and each thread's — with the default
    /// provider's CTR-DRBG, whatever the default property query is when a thread first needs random bytes. OpenSSL takes
    /// this only before it has made its primary generator, so it runs at the agent's entry point; false when it came too
    /// late (then <see cref="Load"/> refuses the provider) or OpenSSL 3 is not there.
    /// </summary>
    public static bool KeepRandomInSoftware()
    {
        lock (Gate)
        {
            try
            {
                _randomInSoftware |= RAND_set_DRBG_type(0, "CTR-DRBG", "provider=default", null, null) == 1;
                if (!_randomInSoftware) LastError();   // clears the error queue
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                // no OpenSSL 3: Load says so
            }
            return _randomInSoftware;
        }
    }

    private static string? LoadCore(string tcti)
    {
        try
        {
            if (!_randomInSoftware)
                return "OpenSSL made its random generator before the agent could keep it in software (with the tpm2 provider loaded, threads would draw random bytes from the TPM)";
            // the provider reads its TCTI from the process environment when it starts
            if (setenv("TPM2OPENSSL_TCTI", tcti, 1) != 0) return "cannot set TPM2OPENSSL_TCTI";
            using (ECDsa.Create()) { }   // .NET initialises OpenSSL (and its configuration) first
            if (OSSL_PROVIDER_load(0, "default") == 0) return $"OpenSSL's default provider does not load: {LastError()}";
            SetDefaultProperties(Software);
            if (OSSL_PROVIDER_load(0, "tpm2") == 0)
                return $"OpenSSL's tpm2 provider does not load (apt-get install tpm2-openssl; is the TPM reachable through {tcti}?): {LastError()}";
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return $"OpenSSL 3 (libcrypto.so.3) is not available: {e.Message}";
        }
    }

    private static void SetDefaultProperties(string query)
    {
        if (EVP_set_default_properties(0, query) != 1) throw new CryptographicException($"OpenSSL refused the property query {query}: {LastError()}");
    }

    private static string LastError()
    {
        var code = ERR_get_error();
        if (code == 0) return "no OpenSSL error recorded";
        var buffer = new byte[256];
        ERR_error_string_n(code, buffer, (nuint)buffer.Length);
        while (ERR_get_error() != 0) { }
        return System.Text.Encoding.ASCII.GetString(buffer, 0, Array.IndexOf(buffer, (byte)0) is var end and >= 0 ? end : buffer.Length);
    }

    [DllImport(Libc, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int setenv(string name, string value, int overwrite);

    [DllImport(Crypto, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint OSSL_PROVIDER_load(nint context, string name);

    [DllImport(Crypto, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int EVP_set_default_properties(nint context, string query);

    [DllImport(Crypto, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern nint OSSL_STORE_open_ex(string uri, nint context, string? query, nint uiMethod, nint uiData, nint parameters, nint postProcess, nint postProcessData);

    [DllImport(Crypto)]
    private static extern nint OSSL_STORE_load(nint store);

    [DllImport(Crypto)]
    private static extern int OSSL_STORE_eof(nint store);

    [DllImport(Crypto)]
    private static extern int OSSL_STORE_close(nint store);

    [DllImport(Crypto)]
    private static extern int OSSL_STORE_INFO_get_type(nint info);

    [DllImport(Crypto)]
    private static extern nint OSSL_STORE_INFO_get1_PKEY(nint info);

    [DllImport(Crypto)]
    private static extern void OSSL_STORE_INFO_free(nint info);

    [DllImport(Crypto)]
    private static extern ulong ERR_get_error();

    [DllImport(Crypto, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int RAND_set_DRBG_type(nint context, string drbg, string propertyQuery, string? cipher, string? digest);

    [DllImport(Crypto)]
    private static extern void ERR_error_string_n(ulong code, byte[] buffer, nuint length);
}
