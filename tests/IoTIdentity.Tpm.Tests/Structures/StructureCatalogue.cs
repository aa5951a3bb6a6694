using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using IoTIdentity.TestKit;
using static IoTIdentity.Tpm.Tests.Structures.Samples;

namespace IoTIdentity.Tpm.Tests.Structures;

/// <summary>A marshalled structure and the parse-then-marshal function for its type.</summary>
public sealed record CatalogueEntry(byte[] Bytes, Func<byte[], byte[]> ParseAndRemarshal)
{
    public static CatalogueEntry Of<T>(T value) where T : ITpmStructure<T> =>
        new(TpmMarshal.ToBytes(value), StructureFuzzer.ParseAndRemarshal<T>);
}

/// <summary>
/// One instance of every structure type and every union member of the catalogue, by name. The theories over
/// <see cref="Names"/> round-trip and truncate each one.
/// </summary>
public static class StructureCatalogue
{
    public static IReadOnlyDictionary<string, CatalogueEntry> Entries { get; } = Build();

    /// <summary>The entry names, as theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var name in Entries.Keys) data.Add(name);
        return data;
    }

    private static Dictionary<string, CatalogueEntry> Build()
    {
        var d = new Dictionary<string, CatalogueEntry>();
        void Add<T>(string name, T value) where T : ITpmStructure<T> => d.Add(name, CatalogueEntry.Of(value));

        // TPMT_SYM_DEF(_OBJECT)
        Add("TPMT_SYM_DEF NULL", TpmtSymDef.Null);
        Add("TPMT_SYM_DEF AES-128-CFB", TpmtSymDef.Aes128Cfb);
        Add("TPMT_SYM_DEF AES-256-CFB", TpmtSymDef.Aes256Cfb);
        foreach (var mode in new[] { TpmAlgId.Ctr, TpmAlgId.Ofb, TpmAlgId.Cbc, TpmAlgId.Ecb, TpmAlgId.Null })
            Add($"TPMT_SYM_DEF AES-192-{mode}", new TpmtSymDef(TpmAlgId.Aes, 192, mode));
        Add("TPMT_SYM_DEF XOR-SHA256", new TpmtSymDef(TpmAlgId.Xor, (ushort)TpmAlgId.Sha256, TpmAlgId.Null));

        // TPMT_*_SCHEME: every scheme kind the record serves
        Add("TPMT_SCHEME NULL", TpmtScheme.Null);
        Add("TPMT_SCHEME RSAES", new TpmtScheme(TpmAlgId.RsaEs));
        foreach (var scheme in new[] { TpmAlgId.RsaSsa, TpmAlgId.RsaPss, TpmAlgId.Oaep, TpmAlgId.EcDsa, TpmAlgId.EcDh,
                     TpmAlgId.EcSchnorr, TpmAlgId.Hmac, TpmAlgId.Kdf1Sp800_56A, TpmAlgId.Kdf1Sp800_108 })
            Add($"TPMT_SCHEME {scheme}", new TpmtScheme(scheme, TpmAlgId.Sha256));
        Add("TPMT_SCHEME ECDAA", new TpmtScheme(TpmAlgId.EcDaa, TpmAlgId.Sha256, Count: 0x1234));
        Add("TPMT_SCHEME XOR", new TpmtScheme(TpmAlgId.Xor, TpmAlgId.Sha256, Kdf: TpmAlgId.Kdf1Sp800_108));

        // TPMS_ECC_POINT and its TPM2B
        Add("TPMS_ECC_POINT P-256", new TpmsEccPoint(Filler("p256-x", 32), Filler("p256-y", 32)));
        Add("TPMS_ECC_POINT P-521", new TpmsEccPoint(Filler("p521-x", 66), Filler("p521-y", 66)));
        Add("TPM2B_ECC_POINT", Tpm2b<TpmsEccPoint>.From(new TpmsEccPoint(Filler("x", 32), Filler("y", 32))));

        // TPMT_PUBLIC, every object type, and TPM2B_PUBLIC
        Add("TPMT_PUBLIC RSA EK template", EkRsaTemplate);
        Add("TPMT_PUBLIC RSA EK", EkRsa);
        Add("TPMT_PUBLIC RSA AK", AkRsa);
        Add("TPMT_PUBLIC ECC EK template", EkEccTemplate);
        Add("TPMT_PUBLIC ECC AK", AkEcc);
        Add("TPMT_PUBLIC keyedhash sealed data", SealedData);
        Add("TPMT_PUBLIC keyedhash HMAC key", HmacKey);
        Add("TPMT_PUBLIC keyedhash XOR parent", XorDerivationParent);
        Add("TPMT_PUBLIC symcipher AES", AesKey);
        Add("TPM2B_PUBLIC RSA AK", Tpm2b<TpmtPublic>.From(AkRsa));
        Add("TPM2B_PUBLIC ECC AK", Tpm2b<TpmtPublic>.From(AkEcc));

        // PCR selections and digest lists
        Add("TPMS_PCR_SELECTION sha256 0,1,7", TpmsPcrSelection.Of(TpmAlgId.Sha256, [0, 1, 7]));
        Add("TPMS_PCR_SELECTION empty select", new TpmsPcrSelection(TpmAlgId.Sha1, []));
        Add("TPML_PCR_SELECTION empty", TpmlPcrSelection.Empty);
        Add("TPML_PCR_SELECTION two banks", new TpmlPcrSelection([
            TpmsPcrSelection.Of(TpmAlgId.Sha1, [0, 1, 2, 3]), TpmsPcrSelection.Of(TpmAlgId.Sha256, [0, 1, 2, 3, 16, 23])]));
        Add("TPML_DIGEST empty", new TpmlDigest([]));
        Add("TPML_DIGEST eight", new TpmlDigest(Enumerable.Range(0, 8).Select(i => Filler($"pcr{i}", 32)).ToArray()));
        foreach (var hash in new[] { TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512 })
            Add($"TPMT_HA {hash}", new TpmtHa(hash, Filler($"ha-{hash}", TpmHash.DigestSize(hash))));
        Add("TPML_DIGEST_VALUES sha1+sha256", new TpmlDigestValues([
            new TpmtHa(TpmAlgId.Sha1, Filler("event", 20)), new TpmtHa(TpmAlgId.Sha256, Filler("event", 32))]));

        // Attestation: TPMS_CLOCK_INFO, TPMS_ATTEST with every TPMU_ATTEST member, TPM2B_ATTEST
        Add("TPMS_CLOCK_INFO", Clock);
        Add("TPMS_CLOCK_INFO unsafe", new TpmsClockInfo(ulong.MaxValue, uint.MaxValue, 0, false));
        Add("TPMS_ATTEST quote", Quote);
        Add("TPMS_ATTEST certify", Certify);
        Add("TPMS_ATTEST creation", Quote with { Attested = new TpmsCreationInfo(Sha256Name("object"), Filler("creation-hash", 32)) });
        Add("TPMS_ATTEST time", Quote with { Attested = new TpmsTimeAttestInfo(0x0000_0000_0ABC_DEF0, Clock, FirmwareVersion) });
        Add("TPMS_ATTEST command audit", Quote with
        {
            Attested = new TpmsCommandAuditInfo(42, TpmAlgId.Sha256, Filler("audit", 32), Filler("commands", 32)),
        });
        Add("TPMS_ATTEST session audit", Quote with { Attested = new TpmsSessionAuditInfo(true, Filler("session", 32)) });
        Add("TPMS_ATTEST NV certify", Quote with
        {
            Attested = new TpmsNvCertifyInfo(Sha256Name("nv-index"), 16, Filler("nv-contents", 48)),
        });
        Add("TPM2B_ATTEST quote", Tpm2b<TpmsAttest>.From(Quote));

        // TPMT_SIGNATURE, every member
        Add("TPMT_SIGNATURE RSASSA", RsaSignature);
        Add<TpmtSignature>("TPMT_SIGNATURE RSAPSS", new TpmsSignatureRsa(TpmAlgId.RsaPss, TpmAlgId.Sha384, Filler("pss", 384)));
        Add("TPMT_SIGNATURE ECDSA", EccSignature);
        Add<TpmtSignature>("TPMT_SIGNATURE ECDAA", new TpmsSignatureEcc(TpmAlgId.EcDaa, TpmAlgId.Sha256, Filler("daa-r", 32), Filler("daa-s", 32)));
        Add<TpmtSignature>("TPMT_SIGNATURE ECSCHNORR", new TpmsSignatureEcc(TpmAlgId.EcSchnorr, TpmAlgId.Sha512, Filler("sch-r", 66), Filler("sch-s", 66)));
        Add<TpmtSignature>("TPMT_SIGNATURE HMAC", new TpmsSignatureHmac(TpmAlgId.Sha256, Filler("hmac", 32)));
        Add<TpmtSignature>("TPMT_SIGNATURE NULL", TpmsSignatureNull.Instance);

        // Creation, tickets, NV, sensitive, credential blobs
        Add("TPMS_CREATION_DATA", CreationData);
        Add("TPM2B_CREATION_DATA", Tpm2b<TpmsCreationData>.From(CreationData));
        Add("TPMT_TK_CREATION", new TpmtTicket(TpmSt.Creation, TpmHandles.Owner, Filler("ticket", 32)));
        Add("TPMT_TK_VERIFIED", new TpmtTicket(TpmSt.Verified, TpmHandles.Endorsement, Filler("verified", 32)));
        Add("TPMT_TK_AUTH secret", new TpmtTicket(TpmSt.AuthSecret, TpmHandles.Endorsement, Filler("auth", 32)));
        Add("TPMT_TK_AUTH signed", new TpmtTicket(TpmSt.AuthSigned, TpmHandles.Owner, Filler("signed", 32)));
        Add("TPMT_TK_HASHCHECK NULL", TpmtTicket.NullHashCheck);
        Add("TPMS_NV_PUBLIC EK certificate index", EkCertificateIndex);
        Add("TPM2B_NV_PUBLIC", Tpm2b<TpmsNvPublic>.From(EkCertificateIndex));
        Add("TPMS_SENSITIVE_CREATE empty", TpmsSensitiveCreate.Empty);
        Add("TPMS_SENSITIVE_CREATE sealed secret", new TpmsSensitiveCreate(Filler("password", 16), Filler("secret", 128)));
        Add("TPM2B_SENSITIVE_CREATE", Tpm2b<TpmsSensitiveCreate>.From(new TpmsSensitiveCreate(Filler("pw", 8), [])));
        Add("TPM2B_ID_OBJECT", new Tpm2bIdObject(Filler("integrity", 32), Filler("enc-identity", 34)));
        Add("TPM2B_ENCRYPTED_SECRET RSA", new Tpm2bEncryptedSecret(Filler("oaep", 256)));
        Add("TPM2B_ENCRYPTED_SECRET ECC", new Tpm2bEncryptedSecret(
            TpmMarshal.ToBytes(new TpmsEccPoint(Filler("eph-x", 32), Filler("eph-y", 32)))));
        Add("TPM2B_PRIVATE", new Tpm2bPrivate(Filler("private", 222)));

        // TPMS_CAPABILITY_DATA, each capability kind
        Add("TPMS_CAPABILITY_DATA algorithms", new TpmsCapabilityData(TpmCap.Algs,
            [(uint)TpmAlgId.Rsa, 0x00000009, (uint)TpmAlgId.Sha256, 0x00000004, (uint)TpmAlgId.Aes, 0x00000002]));
        Add("TPMS_CAPABILITY_DATA handles", new TpmsCapabilityData(TpmCap.Handles, [0x81000001, 0x81010001, 0x81010002]));
        Add("TPMS_CAPABILITY_DATA properties", new TpmsCapabilityData(TpmCap.TpmProperties,
            [TpmConstants.PtManufacturer, 0x49424D00, TpmConstants.PtFirmwareVersion1, 0x20191023, TpmConstants.PtNvBufferMax, 1024]));
        Add("TPMS_CAPABILITY_DATA PCRs", new TpmsCapabilityData(TpmCap.Pcrs, [], new TpmlPcrSelection([
            TpmsPcrSelection.Of(TpmAlgId.Sha1, Enumerable.Range(0, 24)), TpmsPcrSelection.Of(TpmAlgId.Sha256, Enumerable.Range(0, 24))])));
        Add("TPMS_CAPABILITY_DATA ECC curves", new TpmsCapabilityData(TpmCap.EccCurves,
            [(uint)TpmEccCurve.NistP256, (uint)TpmEccCurve.NistP384]));
        Add("TPMS_CAPABILITY_DATA empty handle list", new TpmsCapabilityData(TpmCap.Handles, []));
        return d;
    }
}
