using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;

namespace IoTIdentity.Attestation.Keys;

/// <summary>
/// OpenSSL 3's libcrypto, the one .NET's own cryptography runs on in this process, and the calls the classes that use
/// it directly share (<see cref="OpenSslEcKeys"/>, <see cref="Crypto.OpenSslRsaPublicEngine"/>).
/// </summary>
internal static partial class LibCrypto
{
    /// <summary>The library's file name.</summary>
    public const string Name = "libcrypto.so.3";

    /// <summary>Whether .NET's cryptography runs on OpenSSL 3 in this process, and its libcrypto loads by that name;
    /// elsewhere callers use the platform's own classes.</summary>
    [SupportedOSPlatformGuard("linux")]
    public static bool Available { get; } = OperatingSystem.IsLinux()
        && SafeEvpPKeyHandle.OpenSslVersion is >= 0x3000_0000 and < 0x4000_0000
        && NativeLibrary.TryLoad(Name, out _);

    [LibraryImport(Name)]
    internal static partial IntPtr BN_bin2bn(byte[] bytes, int length, IntPtr result);

    [LibraryImport(Name)]
    internal static partial IntPtr BN_bin2bn(in byte bytes, int length, IntPtr result);

    [LibraryImport(Name)]
    internal static partial void BN_free(IntPtr bignum);

    [LibraryImport(Name)]
    internal static partial IntPtr EVP_PKEY_new();

    [LibraryImport(Name)]
    internal static partial void EVP_PKEY_free(IntPtr pkey);

    [LibraryImport(Name)]
    internal static partial void BN_clear_free(IntPtr bignum);

    /// <summary>Empties this thread's OpenSSL error queue: a refusal already answered must not be read by the next call.</summary>
    [LibraryImport(Name)]
    internal static partial void ERR_clear_error();
}
