using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;
using IoTIdentity.Tpm.Types;
using static IoTIdentity.Tpm.Tests.Structures.Samples;
using static IoTIdentity.Tpm.Tests.Structures.StructureAssert;

namespace IoTIdentity.Tpm.Tests.Structures;

public class RoundTripTests
{
    [Theory]
    [MemberData(nameof(StructureCatalogue.Names), MemberType = typeof(StructureCatalogue))]
    public void Every_catalogued_structure_round_trips_byte_for_byte(string name)
    {
        var entry = StructureCatalogue.Entries[name];
        Assert.Equal(entry.Bytes, entry.ParseAndRemarshal(entry.Bytes));
    }

    [Fact]
    public void TpmtSymDef_NULL_round_trips_as_its_selector_alone()
    {
        var parsed = RoundTrips(TpmtSymDef.Null, out var bytes);
        Assert.Equal(2, bytes.Length);
        Assert.Equal(TpmAlgId.Null, parsed.Algorithm);
    }

    [Fact]
    public void TpmtSymDef_XOR_round_trips_its_hash_without_a_mode()
    {
        var parsed = RoundTrips(new TpmtSymDef(TpmAlgId.Xor, (ushort)TpmAlgId.Sha256, TpmAlgId.Null), out var bytes);
        Assert.Equal(4, bytes.Length);
        Assert.Equal((ushort)TpmAlgId.Sha256, parsed.KeyBits);
        Assert.Equal(TpmAlgId.Null, parsed.Mode);
    }

    [Fact]
    public void TpmtScheme_ECDAA_round_trips_its_hash_and_count()
    {
        var parsed = RoundTrips(new TpmtScheme(TpmAlgId.EcDaa, TpmAlgId.Sha256, Count: 7));
        Assert.Equal(new TpmtScheme(TpmAlgId.EcDaa, TpmAlgId.Sha256, Count: 7), parsed);
    }

    [Fact]
    public void TpmtScheme_XOR_round_trips_its_hash_and_kdf()
    {
        var parsed = RoundTrips(new TpmtScheme(TpmAlgId.Xor, TpmAlgId.Sha384, Kdf: TpmAlgId.Kdf1Sp800_108));
        Assert.Equal(new TpmtScheme(TpmAlgId.Xor, TpmAlgId.Sha384, Kdf: TpmAlgId.Kdf1Sp800_108), parsed);
    }

    [Fact]
    public void TpmtPublic_for_the_RSA_EK_template_round_trips()
    {
        var parsed = RoundTrips(EkRsaTemplate, out var bytes);
        Assert.Equal(314, bytes.Length);
        Assert.Equal(TpmAlgId.Rsa, parsed.Type);
        Assert.Equal(TpmAlgId.Sha256, parsed.NameAlg);
        Assert.Equal((TpmaObject)0x000300B2, parsed.Attributes);
        Assert.Equal(EkPolicy, parsed.AuthPolicy);
        var rsa = Assert.IsType<TpmsRsaParms>(parsed.Parameters);
        Assert.Equal(TpmtSymDef.Aes128Cfb, rsa.Symmetric);
        Assert.Equal(TpmtScheme.Null, rsa.Scheme);
        Assert.Equal(2048, rsa.KeyBits);
        Assert.Equal(65537u, rsa.EffectiveExponent);
        Assert.Equal(new byte[256], Assert.IsType<TpmRsaPublicId>(parsed.Unique).Modulus);
    }

    [Fact]
    public void TpmtPublic_for_an_ECC_key_round_trips()
    {
        var parsed = RoundTrips(AkEcc);
        var ecc = Assert.IsType<TpmsEccParms>(parsed.Parameters);
        Assert.Equal(TpmEccCurve.NistP256, ecc.Curve);
        Assert.Equal(new TpmtScheme(TpmAlgId.EcDsa, TpmAlgId.Sha256), ecc.Scheme);
        Assert.Equal(TpmtScheme.Null, ecc.Kdf);
        var point = Assert.IsType<TpmEccPublicId>(parsed.Unique).Point;
        Assert.Equal(Filler("ak-ecc-x", 32), point.X);
        Assert.Equal(Filler("ak-ecc-y", 32), point.Y);
    }

    [Fact]
    public void TpmtPublic_for_a_keyedhash_object_round_trips()
    {
        var parsed = RoundTrips(HmacKey);
        Assert.Equal(TpmAlgId.KeyedHash, parsed.Type);
        Assert.Equal(new TpmtScheme(TpmAlgId.Hmac, TpmAlgId.Sha256), Assert.IsType<TpmsKeyedHashParms>(parsed.Parameters).Scheme);
        Assert.Equal(Filler("hmac-unique", 32), Assert.IsType<TpmDigestPublicId>(parsed.Unique).Digest);
    }

    [Fact]
    public void TpmtPublic_for_a_symcipher_key_round_trips()
    {
        var parsed = RoundTrips(AesKey);
        Assert.Equal(TpmAlgId.SymCipher, parsed.Type);
        Assert.Equal(TpmtSymDef.Aes128Cfb, Assert.IsType<TpmsSymCipherParms>(parsed.Parameters).Symmetric);
    }

    [Fact]
    public void TpmsAttest_for_a_quote_round_trips_with_its_PCR_selection_and_digest()
    {
        var parsed = RoundTrips(Quote);
        Assert.Equal(TpmConstants.Generated, parsed.Magic);
        Assert.Equal(TpmSt.AttestQuote, parsed.Type);
        Assert.Equal(Sha256Name("ak"), parsed.QualifiedSigner);
        Assert.Equal(Filler("nonce", 32), parsed.ExtraData);
        Assert.Equal(Clock, parsed.ClockInfo);
        Assert.Equal(FirmwareVersion, parsed.FirmwareVersion);
        var quote = Assert.IsType<TpmsQuoteInfo>(parsed.Attested);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => (TpmAlgId.Sha256, i)), quote.PcrSelect.Pairs);
        Assert.Equal(Filler("pcr-digest", 32), quote.PcrDigest);
    }

    [Theory]
    [InlineData("TPMS_ATTEST quote", typeof(TpmsQuoteInfo))]
    [InlineData("TPMS_ATTEST certify", typeof(TpmsCertifyInfo))]
    [InlineData("TPMS_ATTEST creation", typeof(TpmsCreationInfo))]
    [InlineData("TPMS_ATTEST time", typeof(TpmsTimeAttestInfo))]
    [InlineData("TPMS_ATTEST command audit", typeof(TpmsCommandAuditInfo))]
    [InlineData("TPMS_ATTEST session audit", typeof(TpmsSessionAuditInfo))]
    [InlineData("TPMS_ATTEST NV certify", typeof(TpmsNvCertifyInfo))]
    public void TpmsAttest_parses_each_attestation_type_to_its_TpmuAttest_member(string name, Type member)
    {
        var parsed = TpmMarshal.FromBytes<TpmsAttest>(StructureCatalogue.Entries[name].Bytes);
        Assert.IsType(member, parsed.Attested);
    }

    [Theory]
    [InlineData("TPMT_SIGNATURE RSASSA", typeof(TpmsSignatureRsa), TpmAlgId.Sha256)]
    [InlineData("TPMT_SIGNATURE RSAPSS", typeof(TpmsSignatureRsa), TpmAlgId.Sha384)]
    [InlineData("TPMT_SIGNATURE ECDSA", typeof(TpmsSignatureEcc), TpmAlgId.Sha256)]
    [InlineData("TPMT_SIGNATURE ECDAA", typeof(TpmsSignatureEcc), TpmAlgId.Sha256)]
    [InlineData("TPMT_SIGNATURE ECSCHNORR", typeof(TpmsSignatureEcc), TpmAlgId.Sha512)]
    [InlineData("TPMT_SIGNATURE HMAC", typeof(TpmsSignatureHmac), TpmAlgId.Sha256)]
    [InlineData("TPMT_SIGNATURE NULL", typeof(TpmsSignatureNull), TpmAlgId.Null)]
    public void TpmtSignature_parses_each_algorithm_to_its_member(string name, Type member, TpmAlgId hash)
    {
        var parsed = TpmMarshal.FromBytes<TpmtSignature>(StructureCatalogue.Entries[name].Bytes);
        Assert.IsType(member, parsed);
        Assert.Equal(hash, parsed.Hash);
    }

    [Fact]
    public void TpmtSignature_for_ECDSA_round_trips_r_and_s()
    {
        var parsed = Assert.IsType<TpmsSignatureEcc>(RoundTrips(EccSignature));
        Assert.Equal(TpmAlgId.EcDsa, parsed.SigAlg);
        Assert.Equal(Filler("ecc-r", 32), parsed.R);
        Assert.Equal(Filler("ecc-s", 32), parsed.S);
    }

    [Fact]
    public void TpmsCreationData_round_trips_every_field()
    {
        var parsed = RoundTrips(CreationData);
        Assert.True(parsed.PcrSelect.SelectsSameAs(CreationData.PcrSelect));
        Assert.Equal(CreationData.PcrDigest, parsed.PcrDigest);
        Assert.Equal(0x01, parsed.Locality);
        Assert.Equal(TpmAlgId.Sha256, parsed.ParentNameAlg);
        Assert.Equal(Sha256Name("srk"), parsed.ParentName);
        Assert.Equal(Sha256Name("srk-qualified"), parsed.ParentQualifiedName);
        Assert.Empty(parsed.OutsideInfo);
    }

    [Fact]
    public void TpmsNvPublic_for_the_EK_certificate_index_round_trips()
    {
        var parsed = RoundTrips(EkCertificateIndex);
        Assert.Equal(0x01C00002u, parsed.NvIndex);
        Assert.Equal(EkCertificateIndex.Attributes, parsed.Attributes);
        Assert.Equal(1046, parsed.DataSize);
    }

    [Fact]
    public void TpmtTicket_round_trips_its_tag_hierarchy_and_digest()
    {
        var parsed = RoundTrips(new TpmtTicket(TpmSt.Creation, TpmHandles.Owner, Filler("ticket", 32)));
        Assert.Equal(TpmSt.Creation, parsed.Tag);
        Assert.Equal(TpmHandles.Owner, parsed.Hierarchy);
        Assert.Equal(Filler("ticket", 32), parsed.Digest);
    }

    [Fact]
    public void Tpm2bIdObject_round_trips_its_integrity_HMAC_and_the_unsized_encrypted_identity()
    {
        var parsed = RoundTrips(new Tpm2bIdObject(Filler("integrity", 32), Filler("enc", 34)), out var bytes);
        Assert.Equal(2 + 2 + 32 + 34, bytes.Length);
        Assert.Equal(Filler("integrity", 32), parsed.IntegrityHmac);
        Assert.Equal(Filler("enc", 34), parsed.EncIdentity);
    }

    [Fact]
    public void Tpm2bEncryptedSecret_and_Tpm2bPrivate_round_trip_their_opaque_bytes()
    {
        Assert.Equal(Filler("oaep", 256), RoundTrips(new Tpm2bEncryptedSecret(Filler("oaep", 256))).Secret);
        Assert.Equal(Filler("private", 222), RoundTrips(new Tpm2bPrivate(Filler("private", 222))).Buffer);
        Assert.Empty(RoundTrips(new Tpm2bPrivate([])).Buffer);
    }

    [Fact]
    public void TpmsCapabilityData_round_trips_each_capability_kind()
    {
        var properties = RoundTrips(new TpmsCapabilityData(TpmCap.TpmProperties, [TpmConstants.PtManufacturer, 0x49424D00]));
        Assert.Equal([(TpmConstants.PtManufacturer, 0x49424D00u)], properties.Properties);

        var algs = RoundTrips(new TpmsCapabilityData(TpmCap.Algs, [(uint)TpmAlgId.Rsa, 9]), out var algBytes);
        Assert.Equal([(uint)TpmAlgId.Rsa, 9u], algs.Values);
        Assert.Equal(4 + 4 + 2 + 4, algBytes.Length);

        var curves = RoundTrips(new TpmsCapabilityData(TpmCap.EccCurves, [(uint)TpmEccCurve.NistP256]), out var curveBytes);
        Assert.Equal([(uint)TpmEccCurve.NistP256], curves.Values);
        Assert.Equal(4 + 4 + 2, curveBytes.Length);

        Assert.Equal([0x81000001u], RoundTrips(new TpmsCapabilityData(TpmCap.Handles, [0x81000001])).Values);

        var pcrs = RoundTrips(new TpmsCapabilityData(TpmCap.Pcrs, [], TpmlPcrSelection.Of(TpmAlgId.Sha256, 0, 23)));
        Assert.Equal([(TpmAlgId.Sha256, 0), (TpmAlgId.Sha256, 23)], pcrs.Pcrs!.Pairs);
    }

    [Fact]
    public void Tpm2b_keeps_the_received_inner_bytes_beside_the_parsed_value()
    {
        var inner = TpmMarshal.ToBytes(AkRsa);
        var parsed = RoundTrips(Tpm2b<TpmtPublic>.From(AkRsa), out var bytes);
        Assert.Equal(inner.Length, (bytes[0] << 8) | bytes[1]);
        Assert.Equal(inner, parsed.Raw);
        Assert.Equal(inner, TpmMarshal.ToBytes(parsed.Value));
        Assert.Equal(inner, Tpm2b<TpmtPublic>.FromRaw(inner).Raw);
    }

    [Fact]
    public void TpmlDigest_and_TpmlDigestValues_round_trip_their_entries_in_order()
    {
        var digests = Enumerable.Range(0, 8).Select(i => Filler($"d{i}", 32)).ToArray();
        Assert.Equal(digests, RoundTrips(new TpmlDigest(digests)).Digests);

        var values = RoundTrips(new TpmlDigestValues([new TpmtHa(TpmAlgId.Sha1, new byte[20]), new TpmtHa(TpmAlgId.Sha512, Filler("x", 64))]));
        Assert.Equal([TpmAlgId.Sha1, TpmAlgId.Sha512], values.Digests.Select(d => d.Hash));
        Assert.Equal(Filler("x", 64), values.Digests[1].Digest);
    }
}
