using System.Security.Cryptography;
using IoTIdentity.DeviceAgent.State;

namespace IoTIdentity.DeviceAgent.Tests;

/// <summary>The state directory as applications and operators see it: stable paths, its mode, the stop markers.</summary>
public sealed class StateLayoutTests : IDisposable
{
    private readonly string _directory = Path.Combine(Directory.CreateTempSubdirectory("iotid-agent-layout-").FullName, "state");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);

    [Fact]
    public void The_stable_paths_follow_each_new_generation_through_the_current_link()
    {
        var store = new IdentityStore(_directory);
        var first = StateTests.Sample("01");
        store.Save(first);
        var heldOpen = store.StablePath(IdentityStore.CertificateFile);
        Assert.Equal(Pem(first.Metadata.CertificateChain[0]), File.ReadAllText(heldOpen));

        var second = StateTests.Sample("02");
        store.Save(second);

        Assert.Equal("gen-000002", new FileInfo(Path.Combine(_directory, "current")).LinkTarget);
        Assert.Equal(Pem(second.Metadata.CertificateChain[0]), File.ReadAllText(heldOpen));
        Assert.Equal(Pem(second.Metadata.CertificateChain[1]), File.ReadAllText(store.StablePath(IdentityStore.ChainFile)));
        Assert.Equal(Pem(second.Metadata.CertificateChain[0]) + Pem(second.Metadata.CertificateChain[1]),
            File.ReadAllText(store.StablePath(IdentityStore.FullChainFile)));
        Assert.Equal(TssPrivateKey.ToPem(second.DeviceKey), File.ReadAllText(store.StablePath(IdentityStore.KeyFile)));
        Assert.Single(Directory.EnumerateDirectories(_directory, "gen-*"));
        Assert.False(File.Exists(Path.Combine(_directory, "current.tmp")) || new FileInfo(Path.Combine(_directory, "current.tmp")).LinkTarget is not null);
    }

    [Fact]
    public void An_identity_under_a_text_pointer_is_upgraded_to_the_link_with_the_stable_files()
    {
        // the layout older agents wrote: a text file naming the generation, no cert.pem/chain.pem/key.tss2.pem
        var store = new IdentityStore(_directory);
        store.Save(StateTests.Sample("01"));
        var generation = store.CurrentGenerationDirectory!;
        foreach (var file in new[] { IdentityStore.CertificateFile, IdentityStore.ChainFile, IdentityStore.KeyFile })
            File.Delete(Path.Combine(generation, file));
        File.Delete(Path.Combine(_directory, "current"));
        File.WriteAllText(Path.Combine(_directory, "current"), Path.GetFileName(generation) + "\n");
        Assert.Equal("01", store.Load()!.Metadata.SerialNumber);

        store.Upgrade();

        Assert.NotNull(new FileInfo(Path.Combine(_directory, "current")).LinkTarget);
        Assert.Equal("01", store.Load()!.Metadata.SerialNumber);
        Assert.True(File.Exists(store.StablePath(IdentityStore.KeyFile)));
        Assert.Single(Directory.EnumerateDirectories(_directory, "gen-*"));
    }

    [Fact]
    public void Delete_removes_the_link_and_the_generation()
    {
        var store = new IdentityStore(_directory);
        store.Save(StateTests.Sample("01"));

        store.Delete();

        Assert.Null(new FileInfo(Path.Combine(_directory, "current")).LinkTarget);
        Assert.Null(store.Load());
        Assert.Empty(Directory.EnumerateDirectories(_directory, "gen-*"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_state_directory_is_created_readable_by_its_user_only()
    {
        new IdentityStore(_directory).Save(StateTests.Sample("01"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_directory));
    }

    [Fact]
    public void A_refusal_and_a_revocation_are_recorded_until_cleared()
    {
        var markers = new StateMarkers(_directory);
        Assert.Null(markers.Refusal);
        var at = new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

        markers.MarkRefused("NotEnrolled", at);
        markers.MarkRevoked("refused");

        Assert.Equal(("NotEnrolled", at), markers.Refusal);
        Assert.True(markers.IsRevoked);
        Assert.Equal("refused", markers.RevokedBy);
        markers.Clear();
        Assert.Null(markers.Refusal);
        Assert.False(markers.IsRevoked);
    }

    private static string Pem(byte[] der) => new string(PemEncoding.Write("CERTIFICATE", der)) + "\n";
}
