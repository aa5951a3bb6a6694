using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using IoTIdentity.Attestation.Crypto;

namespace IoTIdentity.Attestation.Tests.Crypto;

/// <summary>
/// tpm2-tools' <c>tpm2_makecredential</c> (offline, <c>-T none</c>) wraps a credential for a software EK; our
/// private-side seed recovery and <see cref="CredentialProtection.Unwrap"/> must get the credential back. This
/// checks KDFa, KDFe, the CFB and HMAC layout and the OAEP label against an independent implementation.
/// </summary>
public sealed class Tpm2ToolsCrossCheckTests
{
    private const int Magic = unchecked((int)0xBADCC0DE);

    [Fact]
    public void Credential_made_by_tpm2_makecredential_for_an_RSA_EK_unwraps_with_our_code()
    {
        using var ek = RSA.Create(2048);
        byte[] name = [0x00, 0x0b, .. RandomNumberGenerator.GetBytes(32)], secret = RandomNumberGenerator.GetBytes(32);

        (byte[] idObject, byte[] encryptedSecret) = MakeCredential(ek.ExportSubjectPublicKeyInfoPem(), "rsa", name, secret);
        byte[] seed = SeedEncryptionTests.DecryptOaep(ek.ExportParameters(true), "IDENTITY\0"u8.ToArray(), encryptedSecret);

        Assert.Equal(secret, CredentialProtection.Unwrap(HashAlgorithmName.SHA256, 128, seed, name, idObject));
    }

    [Fact]
    public void Credential_made_by_tpm2_makecredential_for_an_ECC_EK_unwraps_with_our_code()
    {
        using var ek = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

        // tpm2_makecredential drops a coordinate's leading zero bytes about once in a hundred ephemeral points: many
        // credentials, so such points are met often
        for (var i = 0; i < Credentials; i++)
        {
            byte[] name = [0x00, 0x0b, .. RandomNumberGenerator.GetBytes(32)], secret = RandomNumberGenerator.GetBytes(32);

            (byte[] idObject, byte[] encryptedSecret) = MakeCredential(ek.ExportSubjectPublicKeyInfoPem(), "ecc", name, secret);
            byte[] seed = SeedEncryptionTests.EccSeedOnTheTpmSide(ek, HashAlgorithmName.SHA256, encryptedSecret);

            Assert.Equal(secret, CredentialProtection.Unwrap(HashAlgorithmName.SHA256, 128, seed, name, idObject));
        }
    }

    private const int Credentials = 300;

    /// <summary>Runs tpm2_makecredential and splits its output: magic, version, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET.</summary>
    private static (byte[] IdObject, byte[] EncryptedSecret) MakeCredential(string ekPem, string algorithm, byte[] name, byte[] secret)
    {
        string directory = Directory.CreateTempSubdirectory("iotid-mc-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(directory, "ek.pem"), ekPem);
            File.WriteAllBytes(Path.Combine(directory, "secret.bin"), secret);
            var start = new ProcessStartInfo("tpm2_makecredential",
                ["-T", "none", "-u", "ek.pem", "-G", algorithm, "-s", "secret.bin", "-n", Convert.ToHexStringLower(name), "-o", "out.bin"])
            {
                WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true,
            };
            Process process;
            try { process = Process.Start(start)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("tpm2_makecredential not found: install tpm2-tools (apt-get install tpm2-tools).", e);
            }
            using (process)
            {
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"tpm2_makecredential failed: {errors}");
            }
            byte[] output = File.ReadAllBytes(Path.Combine(directory, "out.bin"));
            Assert.Equal(Magic, BinaryPrimitives.ReadInt32BigEndian(output));
            int idSize = BinaryPrimitives.ReadUInt16BigEndian(output.AsSpan(8));
            byte[] idObject = output.AsSpan(8, 2 + idSize).ToArray();
            int secretSize = BinaryPrimitives.ReadUInt16BigEndian(output.AsSpan(10 + idSize));
            return (idObject, output.AsSpan(12 + idSize, secretSize).ToArray());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
