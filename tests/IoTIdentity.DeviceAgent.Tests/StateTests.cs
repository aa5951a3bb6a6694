using System.Formats.Asn1;
using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.Enrollment;
using IoTIdentity.DeviceAgent.State;
using IoTIdentity.Tpm.Keys;
using IoTIdentity.Tpm.Marshalling;
using IoTIdentity.Tpm.Structures;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>The state directory: generations, the pointer written last, the TSS2 key file.</summary>
public sealed class StateTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotid-agent-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    internal static StoredIdentity Sample(string serial, DateTimeOffset? notAfter = null) => new(
        new IdentityMetadata
        {
            DeviceId = new string('a', 64),
            Owner = "tenant",
            SerialNumber = serial,
            NotAfter = notAfter ?? DateTimeOffset.UtcNow.AddMinutes(30),
            RenewAfter = DateTimeOffset.UtcNow.AddMinutes(20),
            CertificateChain = [RandomNumberGenerator.GetBytes(40), RandomNumberGenerator.GetBytes(40)],
            SrkTemplate = TpmMarshal.ToBytes(KeyTemplates.SrkEccP256),
            LastAttestation = DateTimeOffset.UtcNow,
        },
        new TpmKeyBlobs(Tpm2b<TpmtPublic>.From(KeyTemplates.DeviceEccP256), new Tpm2bPrivate(RandomNumberGenerator.GetBytes(120))),
        new TpmKeyBlobs(Tpm2b<TpmtPublic>.From(KeyTemplates.AkEccP256), new Tpm2bPrivate(RandomNumberGenerator.GetBytes(120))));

    [Fact]
    public void A_saved_identity_loads_back_with_its_key_blobs()
    {
        var store = new IdentityStore(_directory);
        var identity = Sample("01");

        store.Save(identity);
        var loaded = store.Load()!;

        Assert.Equal("01", loaded.Metadata.SerialNumber);
        Assert.Equal(identity.DeviceKey.Private.Buffer, loaded.DeviceKey.Private.Buffer);
        Assert.Equal(identity.DeviceKey.Public.Raw, loaded.DeviceKey.Public.Raw);
        Assert.Equal(identity.AttestationKey.Private.Buffer, loaded.AttestationKey.Private.Buffer);
        Assert.True(File.Exists(Path.Combine(store.CurrentGenerationDirectory!, IdentityStore.FullChainFile)));
        Assert.True(File.Exists(Path.Combine(store.CurrentGenerationDirectory!, IdentityStore.KeyFile)));
    }

    [Fact]
    public void A_new_identity_replaces_the_old_generation_only_once_the_pointer_names_it()
    {
        var store = new IdentityStore(_directory);
        store.Save(Sample("01"));
        var first = store.CurrentGenerationDirectory!;

        store.Save(Sample("02"));

        Assert.Equal("02", store.Load()!.Metadata.SerialNumber);
        Assert.False(Directory.Exists(first));
        Assert.Single(Directory.EnumerateDirectories(_directory, "gen-*"));
    }

    [Fact]
    public void A_generation_written_without_its_pointer_is_ignored_and_collected()
    {
        // the power cut between the generation's rename and the pointer's: the old identity is still the identity
        new IdentityStore(_directory).Save(Sample("01"));
        var torn = new IdentityStore(_directory, new ThrowAt(IdentityCheckpoint.DuringStateWrite));
        Assert.Throws<IOException>(() => torn.Save(Sample("02")));
        Assert.Equal(2, Directory.EnumerateDirectories(_directory, "gen-*").Count());

        var after = new IdentityStore(_directory);
        Assert.Equal("01", after.Load()!.Metadata.SerialNumber);
        after.Collect();
        Assert.Single(Directory.EnumerateDirectories(_directory, "gen-*"));
    }

    [Fact]
    public void A_half_written_temporary_generation_is_never_loaded()
    {
        var store = new IdentityStore(_directory);
        Directory.CreateDirectory(Path.Combine(_directory, "gen-000001.tmp"));
        File.WriteAllText(Path.Combine(_directory, "gen-000001.tmp", "identity.json"), "{ torn");

        Assert.Null(store.Load());
        store.Save(Sample("01"));
        Assert.Equal("01", store.Load()!.Metadata.SerialNumber);
        Assert.False(Directory.Exists(Path.Combine(_directory, "gen-000001.tmp")));
    }

    [Fact]
    public void Delete_forgets_the_identity()
    {
        var store = new IdentityStore(_directory);
        store.Save(Sample("01"));

        store.Delete();

        Assert.Null(store.Load());
        Assert.Empty(Directory.EnumerateDirectories(_directory, "gen-*"));
    }

    [Fact]
    public void The_TSS2_key_file_is_a_loadable_key_with_empty_auth_under_the_owner_hierarchy()
    {
        var key = Sample("01").DeviceKey;
        var pem = TssPrivateKey.ToPem(key);
        Assert.StartsWith("-----BEGIN TSS2 PRIVATE KEY-----", pem, StringComparison.Ordinal);

        var der = PemEncoding.Find(pem) is var fields ? Convert.FromBase64String(pem[fields.Base64Data]) : [];
        var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        Assert.Equal("2.23.133.10.1.3", sequence.ReadObjectIdentifier());
        Assert.True(sequence.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0)).ReadBoolean());
        Assert.True(sequence.TryReadUInt32(out var parent));
        Assert.Equal(0x40000001u, parent);
        Assert.Equal(TpmMarshal.ToBytes(key.Public), sequence.ReadOctetString());   // TPM2B_PUBLIC, size first
        Assert.Equal(TpmMarshal.ToBytes(key.Private), sequence.ReadOctetString());
        Assert.Equal(key.Private.Buffer, TssPrivateKey.FromDer(der).Private.Buffer);
    }

    [Fact]
    public void Our_SRK_template_is_the_primary_tpm2_openssl_recreates_for_parent_0x40000001()
    {
        Assert.True(TssPrivateKey.IsDefaultParent(KeyTemplates.SrkEccP256));
        Assert.False(TssPrivateKey.IsDefaultParent(KeyTemplates.SrkRsa2048));
    }

    [Fact]
    public void Renewal_starts_by_two_thirds_of_the_remaining_lifetime_even_if_the_hint_is_later()
    {
        var now = DateTimeOffset.UtcNow;
        var identity = Sample("01") is var s ? s with { Metadata = s.Metadata with { LastAttestation = now, NotAfter = now.AddSeconds(30), RenewAfter = now.AddMinutes(4) } } : s;

        Assert.Equal(now.AddSeconds(20), identity.RenewAfter);
    }

    [Fact]
    public void Backoff_doubles_up_to_the_cap_and_never_undercuts_the_service_Retry_After()
    {
        var initial = TimeSpan.FromSeconds(2);
        var max = TimeSpan.FromSeconds(60);

        Assert.InRange(Backoff.Delay(initial, max, 1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.InRange(Backoff.Delay(initial, max, 4), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(16));
        Assert.InRange(Backoff.Delay(initial, max, 40), TimeSpan.FromSeconds(30), max);
        Assert.Equal(TimeSpan.FromSeconds(90), Backoff.Delay(initial, max, 1, retryAfter: TimeSpan.FromSeconds(90)));
    }
}
