using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTIdentity.Attestation.Crypto;

namespace IoTIdentity.Attestation.Ek;

/// <summary>
/// Validates an EK certificate against trusted TPM manufacturer roots, offline, at the time of an injected clock
/// (TCG EK Credential Profile 2.x; RFC 5280). Bad input yields a reason, never an exception.
/// </summary>
/// <remarks>
/// <para>Checks, in order (the first failure is the reason):</para>
/// <list type="number">
/// <item>The octets load as a certificate; a non-minimal serial only with <see cref="EkCertificateQuirks.NonDerSerialNumber"/>
/// — otherwise <see cref="EkCertificateFailure.Malformed"/>. Intermediates must load too. A certificate of the plain
/// shape manufacturers issue is read by a managed DER parse (<see cref="EkLeaf"/>), any other by the platform's
/// loader, whose certificate also serves a full chain build and an ECC key in an unusual form; the two readings
/// decide alike (a property test holds them to it over a corpus and its mutations).</item>
/// <item>The serial is positive, or <see cref="EkCertificateQuirks.NegativeSerialNumber"/> — else Malformed.</item>
/// <item>The EK certificate's validity period contains the verification time — <see cref="EkCertificateFailure.NotYetValid"/>
/// or <see cref="EkCertificateFailure.Expired"/>.</item>
/// <item>A chain to a configured root, every signature verifying — <see cref="EkCertificateFailure.UntrustedRoot"/>,
/// <see cref="EkCertificateFailure.BadSignature"/>, Expired / NotYetValid for an issuer, or
/// <see cref="EkCertificateFailure.InvalidChain"/>. The issuer is the supplied intermediate or configured root whose
/// subject name is, octet for octet, the EK certificate's issuer name; its own path to a root is verified once (see
/// <see cref="EkIssuerPath"/>: X509Chain in custom-root-trust mode, no revocation, no downloads; the issuer a CA
/// allowed to sign certificates; path lengths counted with the EK certificate) and, when no other certificate has that
/// name, kept in a bounded cache keyed by the hash of the issuer name and the intermediates supplied with it (a hit
/// loads no intermediate again: they loaded and verified before, octet for octet). Every call then checks each path certificate's
/// validity period at the verification time and the EK certificate's signature with the issuer's key over the
/// TBSCertificate octets as received, its inner and outer signature algorithms equal. An EK certificate whose issuer
/// name matches no certificate octet for octet is judged by a full X509Chain build (RFC 5280's name comparison). Before
/// either: when no name met following the supplied intermediates up from the issuer name could be a root's subject
/// under any comparison a chain builder makes (<see cref="LooseName"/>), no chain can reach a root whatever the
/// certificate, so it is refused as untrusted without one, and the issuer name with its intermediates is kept in the
/// same bounded cache as unreachable (a validator trusting one vendor refuses another vendor's devices at the cost of a
/// hash, their intermediates not loaded).</item>
/// <item>The public key is RSA ≥ 2048 bits or ECC on P-256/P-384/P-521 — <see cref="EkCertificateFailure.UnsupportedKey"/>.</item>
/// <item>Basic constraints do not say CA — <see cref="EkCertificateFailure.IsCa"/>.</item>
/// <item>Key usage is present with keyEncipherment (RSA) or keyAgreement (ECC); an EKU, when present, contains
/// tcg-kp-EKCertificate (2.23.133.8.1); a missing EKU needs <see cref="EkCertificateQuirks.MissingExtendedKeyUsage"/>
/// — <see cref="EkCertificateFailure.NotAnEkCertificate"/>.</item>
/// <item>Every critical extension is understood, or <see cref="EkCertificateQuirks.UnknownCriticalExtension"/> —
/// <see cref="EkCertificateFailure.UnsupportedCriticalExtension"/>.</item>
/// <item>An empty subject comes with a critical SAN (or <see cref="EkCertificateQuirks.NonCriticalSanWithEmptySubject"/>),
/// and the SAN parses; its TCG directoryName becomes <see cref="EkCertificate.Manufacturer"/> — Malformed.</item>
/// </list>
/// <para>Thread-safe and meant to be long-lived: the roots are parsed once and issuer paths verified once.</para>
/// </remarks>
public sealed class EkCertificateValidator : IDisposable
{
    /// <summary>tcg-kp-EKCertificate — TCG EK Credential Profile 2.x.</summary>
    public const string EkCertificateEku = "2.23.133.8.1";

    /// <summary>The most intermediates accepted with one EK certificate.</summary>
    public const int MaxIntermediates = 8;

    /// <summary>How many verified issuer paths a validator keeps by default.</summary>
    public const int DefaultIssuerCacheCapacity = 256;

    private static readonly HashSet<string> UnderstoodExtensions =
    [
        "2.5.29.14", "2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.31", "2.5.29.32", "2.5.29.35", "2.5.29.37", "1.3.6.1.5.5.7.1.1",
    ];

    private readonly X509Certificate2[] _roots;
    private readonly TimeProvider _time;
    private readonly EkCertificateQuirks _allowed;
    private readonly EkIssuerCache _issuers;
    private readonly bool _platformDecode;
    private readonly HashSet<string>? _rootNames;

    /// <summary>Creates a validator that trusts <paramref name="trustedRoots"/>.</summary>
    /// <param name="trustedRoots">The manufacturer root certificates, DER.</param>
    /// <param name="timeProvider">The clock that gives the verification time.</param>
    /// <param name="allowedQuirks">The deviations to tolerate; none by default.</param>
    /// <param name="issuerCacheCapacity">How many verified issuer paths to keep (0: verify every path every time).</param>
    /// <exception cref="ArgumentException">A root is not a certificate (a configuration error).</exception>
    public EkCertificateValidator(IEnumerable<byte[]> trustedRoots, TimeProvider timeProvider,
        EkCertificateQuirks allowedQuirks = EkCertificateQuirks.None, int issuerCacheCapacity = DefaultIssuerCacheCapacity)
        : this(trustedRoots, timeProvider, allowedQuirks, issuerCacheCapacity, platformDecode: false)
    {
    }

    /// <summary>
    /// As the public constructor; <paramref name="platformDecode"/> reads every EK certificate with the platform's
    /// loader instead of the managed reader (<see cref="EkLeaf"/>) — the path unusual certificates take, kept whole so
    /// that the two can be compared.
    /// </summary>
    internal EkCertificateValidator(IEnumerable<byte[]> trustedRoots, TimeProvider timeProvider,
        EkCertificateQuirks allowedQuirks, int issuerCacheCapacity, bool platformDecode)
    {
        _platformDecode = platformDecode;
        ArgumentOutOfRangeException.ThrowIfNegative(issuerCacheCapacity);
        ArgumentNullException.ThrowIfNull(trustedRoots);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _roots = [.. trustedRoots.Select(der => EkCertificateEncoding.TryLoad(der)
            ?? throw new ArgumentException("A trusted root is not a DER certificate.", nameof(trustedRoots)))];
        if (_roots.Length == 0)
            throw new ArgumentException("At least one trusted root is required.", nameof(trustedRoots));
        string?[] rootNames = [.. _roots.Select(root => LooseName(root.SubjectName.RawData))];
        _rootNames = rootNames.Any(name => name is null) ? null : new HashSet<string>(rootNames!, StringComparer.Ordinal);
        _time = timeProvider;
        _allowed = allowedQuirks;
        _issuers = new EkIssuerCache(issuerCacheCapacity);
    }

    /// <summary>How many verified issuer paths are kept now.</summary>
    internal int CachedIssuerPaths => _issuers.Count;

    /// <summary>How many issuer names found to reach no root are kept now.</summary>
    internal int CachedUnreachableIssuers => _issuers.UnreachableCount;

    /// <summary>
    /// A distinguished name (DER) reduced so that any two names a chain builder may take as equal — RFC 5280, 7.1's
    /// comparison, or OpenSSL's canonical form: string types alike, case and runs of white space ignored — reduce to
    /// the same text: its RFC 4514 rendering without white space or quotes, upper-cased. Null when that cannot be
    /// promised — a name that is empty or not DER, a value that is not a UTF8, Printable or IA5 string
    /// (<see cref="EkLeaf.IsPlainName"/>), or holds anything outside printable ASCII — and then the name must be taken to possibly equal any other.
    /// </summary>
    internal static string? LooseName(byte[] name)
    {
        if (name is [0x30, 0x00] || !EkLeaf.IsPlainName(name))
            return null;
        try
        {
            string rendered = new X500DistinguishedName(name).Name;
            var loose = new System.Text.StringBuilder(rendered.Length);
            foreach (char c in rendered)
            {
                if (char.IsWhiteSpace(c) || c == '"')
                    continue;
                if (c is < (char)0x21 or > (char)0x7E || c == '#')
                    return null;
                loose.Append(char.ToUpperInvariant(c));
            }
            return loose.ToString();
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether no chain from a certificate naming <paramref name="issuerName"/> can reach a trusted root through
    /// <paramref name="intermediates"/>, whatever else that certificate holds: following the intermediates whose
    /// subject could equal a name on the way (see <see cref="LooseName"/>), no name met could be a root's subject.
    /// </summary>
    private bool NoneCouldIssue(byte[] issuerName, X509Certificate2Collection intermediates)
    {
        if (_rootNames is null || LooseName(issuerName) is not { } first)
            return false;
        var names = new HashSet<string>(StringComparer.Ordinal) { first };
        var followed = new bool[intermediates.Count];
        for (bool grew = true; grew;)
        {
            grew = false;
            for (int i = 0; i < intermediates.Count; i++)
            {
                if (followed[i])
                    continue;
                if (LooseName(intermediates[i].SubjectName.RawData) is not { } subject)
                    return false;
                if (!names.Contains(subject))
                    continue;
                if (LooseName(intermediates[i].IssuerName.RawData) is not { } issuer)
                    return false;
                followed[i] = true;
                grew |= names.Add(issuer);
            }
        }
        return !names.Overlaps(_rootNames);
    }

    /// <summary>Runs every check (see the type's remarks) on an EK certificate.</summary>
    /// <param name="certificate">The EK certificate, DER, as read from the TPM's NV index.</param>
    /// <param name="intermediates">Intermediate certificates, DER, supplied with it; may be null.</param>
    /// <returns>The verified certificate or the reason it was refused.</returns>
    public EkCertificateValidationResult Validate(byte[] certificate, IReadOnlyList<byte[]>? intermediates = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var check = new Check(this, certificate.ToArray());
        try
        {
            return check.Run(intermediates ?? []);
        }
        finally
        {
            check.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (X509Certificate2 root in _roots)
            root.Dispose();
    }

    /// <summary>One validation: the state the steps share, and the certificates to dispose afterwards.</summary>
    private sealed class Check(EkCertificateValidator validator, byte[] raw) : IDisposable
    {
        private readonly List<X509Certificate2> _owned = [];
        private EkCertificateQuirks _quirks;
        private bool _serialRepaired;
        private IReadOnlyList<byte[]> _issuerChain = [];
        private X509Certificate2? _platform;

        public EkCertificateValidationResult Run(IReadOnlyList<byte[]> intermediateDer)
        {
            // 1. Parse: the plain shape by the managed reader, anything else by the platform's loader.
            EkLeaf? leaf = validator._platformDecode ? null : EkLeaf.TryRead(raw);
            if (leaf is null)
            {
                X509Certificate2? loaded = Own(EkCertificateEncoding.TryLoad(raw));
                if (loaded is null && EkCertificateEncoding.RepairSerialNumber(raw) is { } repaired && Own(EkCertificateEncoding.TryLoad(repaired)) is { } parsed)
                {
                    if (!Allowed(EkCertificateQuirks.NonDerSerialNumber))
                        return Fail(EkCertificateFailure.Malformed, "the serial number is not DER (not minimally encoded)");
                    (loaded, _serialRepaired) = (parsed, true);
                }
                if (loaded is null || EkLeaf.From(loaded) is not { } read)
                    return Fail(EkCertificateFailure.Malformed, "not an X.509 certificate");
                leaf = read;
            }
            if (intermediateDer.Count > MaxIntermediates)
                return Fail(EkCertificateFailure.InvalidChain, "too many intermediates");
            // Intermediates verified together with this issuer name before loaded then; they are not loaded again.
            EkIssuerCache.PathKey pathKey = EkIssuerCache.KeyOf(leaf.IssuerName, intermediateDer);
            EkIssuerPath? cached = validator._issuers.Find(pathKey);
            bool unreachable = cached is null && validator._issuers.IsUnreachable(pathKey);
            var intermediates = new X509Certificate2Collection();
            foreach (byte[] der in cached is null && !unreachable ? intermediateDer : [])
            {
                if (Own(EkCertificateEncoding.TryLoad(der)) is not { } intermediate)
                    return Fail(EkCertificateFailure.Malformed, "an intermediate is not an X.509 certificate");
                intermediates.Add(intermediate);
            }

            // 2. Serial sign.
            if (leaf.Serial.Span is [>= 0x80, ..] && !Allowed(EkCertificateQuirks.NegativeSerialNumber))
                return Fail(EkCertificateFailure.Malformed, "the serial number is negative");

            // 3. Validity period of the EK certificate itself.
            DateTimeOffset now = validator._time.GetUtcNow();
            if (now < leaf.NotBefore)
                return Fail(EkCertificateFailure.NotYetValid, "the EK certificate is not valid yet");
            if (now > leaf.NotAfter)
                return Fail(EkCertificateFailure.Expired, "the EK certificate has expired");

            // 4. Chain.
            if (unreachable)
                return Fail(EkChain.Untrusted);
            if ((cached is null ? CheckIssuer(leaf, intermediates, pathKey, now) : CheckCachedIssuer(cached, now)) is { } chainFailure)
                return chainFailure;

            try
            {
                // 5. Key.
                if (ReadPublicKey(leaf) is not { } publicKey)
                    return Fail(EkCertificateFailure.UnsupportedKey, $"unsupported key ({leaf.KeyAlgorithm})");

                // 6.–9. Profile.
                if (CheckProfile(leaf.Extensions, publicKey) is { } profileFailure)
                    return profileFailure;
                TpmManufacturerInfo? manufacturer = null;
                X509Extension? san = leaf.Extensions.FirstOrDefault(e => e.Oid?.Value == "2.5.29.17");
                if (CheckNames(leaf, san, ref manufacturer) is { } nameFailure)
                    return nameFailure;

                var view = new EkCertificate(raw, publicKey, manufacturer, Convert.ToHexString(leaf.Serial.Span),
                    leaf.Issuer, leaf.NotBefore, leaf.NotAfter, _issuerChain, leaf.SubjectName, san?.RawData);
                return EkCertificateValidationResult.Valid(view, _quirks);
            }
            catch (CryptographicException e)
            {
                return Fail(EkCertificateFailure.Malformed, $"an extension or the key does not parse: {e.Message}");
            }
        }

        /// <summary>The platform's certificate for the steps that need one (a full chain build, an unusual key); null when the platform refuses the octets.</summary>
        private X509Certificate2? Platform(EkLeaf leaf) => leaf.Platform ?? (_platform ??= Own(EkCertificateEncoding.TryLoad(raw)));

        /// <summary>
        /// Step 4 through the issuer whose subject is the leaf's issuer name octet for octet; its verified path is kept
        /// when it is the only such certificate (so a later call with the same name and intermediates finds the same issuer).
        /// </summary>
        private EkCertificateValidationResult? CheckIssuer(EkLeaf leaf, X509Certificate2Collection intermediates,
            EkIssuerCache.PathKey pathKey, DateTimeOffset now)
        {
            if (validator.NoneCouldIssue(leaf.IssuerName, intermediates))
            {
                validator._issuers.KeepUnreachable(pathKey);
                return Fail(EkChain.Untrusted);
            }
            ReadOnlySpan<byte> issuerName = leaf.IssuerName;
            List<X509Certificate2> candidates = [];
            foreach (X509Certificate2 certificate in intermediates.Concat(validator._roots))
            {
                if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(issuerName))
                    candidates.Add(certificate);
            }
            if (candidates.Count == 0)
                return Platform(leaf) is { } platform ? CheckChain(platform, intermediates, now) : Fail(EkCertificateFailure.Malformed, "not an X.509 certificate");
            (EkCertificateFailure Failure, string Detail)? refusal = null;
            foreach (X509Certificate2 candidate in candidates)
            {
                var (path, failure, detail) = EkIssuerPath.Verify(candidate, intermediates, validator._roots, now);
                if (path is null)
                {
                    refusal ??= (failure, detail);
                    continue;
                }
                if (candidates.Count == 1)
                    validator._issuers.Keep(pathKey, path);
                if (!path.Signed(raw))
                {
                    refusal ??= (EkCertificateFailure.BadSignature, "the EK certificate's signature does not verify");
                    continue;
                }
                _issuerChain = path.Chain;
                return null;
            }
            return Fail(refusal!.Value);
        }

        /// <summary>Step 4 through an issuer path verified before: its validity at this time, and the leaf's signature.</summary>
        private EkCertificateValidationResult? CheckCachedIssuer(EkIssuerPath path, DateTimeOffset now)
        {
            if (path.CheckValidityAt(now) is { } outOfValidity)
                return Fail(outOfValidity);
            if (!path.Signed(raw))
                return Fail(EkCertificateFailure.BadSignature, "the EK certificate's signature does not verify");
            _issuerChain = path.Chain;
            return null;
        }

        /// <summary>Step 4 by a full X509Chain build, for an issuer name that matches no certificate octet for octet.</summary>
        private EkCertificateValidationResult? CheckChain(X509Certificate2 leaf, X509Certificate2Collection intermediates, DateTimeOffset now)
        {
            using X509Chain? chain = EkChain.Build(leaf, intermediates, validator._roots, now);
            if (chain is null)
                return Fail(EkChain.Untrusted);
            X509ChainElementCollection elements = chain.ChainElements;
            for (int i = 0; i < elements.Count; i++)
            {
                X509ChainStatusFlags flags = EkChain.Flags(elements[i]);
                if (i == 0)
                {
                    // Judged by steps 3 and 8 against the quirks; the repaired leaf's signature is checked here.
                    flags &= ~(X509ChainStatusFlags.HasNotSupportedCriticalExtension | X509ChainStatusFlags.NotTimeValid);
                    if (_serialRepaired && elements.Count > 1)
                    {
                        flags &= ~X509ChainStatusFlags.NotSignatureValid;
                        using AsymmetricAlgorithm? issuerKey = EkChain.SigningKey(elements[1].Certificate);
                        if (issuerKey is null || !Crypto.CertificateSignatures.Verify(raw, issuerKey))
                            return Fail(EkCertificateFailure.BadSignature, "the EK certificate's signature does not verify");
                    }
                }
                if (EkChain.Judge(elements[i].Certificate, flags, now) is { } refusal)
                    return Fail(refusal);
            }
            _issuerChain = [.. elements.Skip(1).Select(element => element.Certificate.RawData)];
            return null;
        }

        private EkCertificateValidationResult? CheckProfile(X509Extension[] extensions, EkPublicKey publicKey)
        {
            if (extensions.OfType<X509BasicConstraintsExtension>().Any(bc => bc.CertificateAuthority))
                return Fail(EkCertificateFailure.IsCa, "basic constraints say CA");

            X509KeyUsageFlags required = publicKey is EkRsaPublicKey ? X509KeyUsageFlags.KeyEncipherment : X509KeyUsageFlags.KeyAgreement;
            if (extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is not { } usage || !usage.KeyUsages.HasFlag(required))
                return Fail(EkCertificateFailure.NotAnEkCertificate, $"key usage lacks {required}");

            if (extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } eku)
            {
                if (!eku.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == EkCertificateEku))
                    return Fail(EkCertificateFailure.NotAnEkCertificate, "the extended key usage lacks tcg-kp-EKCertificate");
            }
            else if (!Allowed(EkCertificateQuirks.MissingExtendedKeyUsage))
                return Fail(EkCertificateFailure.NotAnEkCertificate, "no extended key usage");

            if (extensions.FirstOrDefault(e => e.Critical && !UnderstoodExtensions.Contains(e.Oid?.Value ?? "")) is { } unknown
                && !Allowed(EkCertificateQuirks.UnknownCriticalExtension))
                return Fail(EkCertificateFailure.UnsupportedCriticalExtension, $"unknown critical extension {unknown.Oid?.Value}");
            return null;
        }

        private EkCertificateValidationResult? CheckNames(EkLeaf leaf, X509Extension? san, ref TpmManufacturerInfo? manufacturer)
        {
            bool emptySubject = leaf.SubjectName.AsSpan().SequenceEqual((ReadOnlySpan<byte>)[0x30, 0x00]);
            if (emptySubject && san is null)
                return Fail(EkCertificateFailure.Malformed, "neither a subject nor a subject alternative name");
            if (emptySubject && !san!.Critical && !Allowed(EkCertificateQuirks.NonCriticalSanWithEmptySubject))
                return Fail(EkCertificateFailure.Malformed, "the subject is empty and the SAN is not critical");
            if (san is not null && !TcgSubjectAlternativeName.TryParse(san.RawData, out manufacturer))
                return Fail(EkCertificateFailure.Malformed, "the subject alternative name does not parse");
            return null;
        }

        private EkPublicKey? ReadPublicKey(EkLeaf leaf)
        {
            switch (leaf.KeyAlgorithm)
            {
                case "1.2.840.113549.1.1.1":
                    // n and e straight from the RSAPublicKey: GetRSAPublicKey + ExportParameters decode, import and
                    // export a platform key (~350 µs on OpenSSL 3.0) to return the same two integers, checking nothing more.
                    EkRsaPublicKey rsaKey = ReadRsaPublicKey(leaf.KeyValue);
                    return BitLength(rsaKey.Modulus) >= 2048 ? rsaKey : null;
                case "1.2.840.10045.2.1":
                    // An uncompressed point on a named curve, checked on the curve here; any other form as the platform reads it.
                    if (leaf.Platform is null && EkEccPoint.TryRead(leaf.KeyParameters, leaf.KeyValue) is { } point)
                        return point;
                    if (Platform(leaf) is not { } platform)
                        throw new CryptographicException("the certificate does not load");
                    using (ECDiffieHellman? ecc = platform.GetECDiffieHellmanPublicKey())
                    {
                        if (ecc is null)
                            return null;
                        ECParameters parameters = ecc.ExportParameters(false);
                        try
                        {
                            EccSeedEncryption.Describe(parameters.Curve);
                        }
                        catch (ArgumentException)
                        {
                            return null;
                        }
                        return new EkEccPublicKey(parameters.Curve, parameters.Q.X!, parameters.Q.Y!);
                    }
                default:
                    return null;
            }
        }

        /// <summary>RSAPublicKey — RFC 8017, A.1.1: SEQUENCE { modulus INTEGER, publicExponent INTEGER }, both positive.</summary>
        private static EkRsaPublicKey ReadRsaPublicKey(byte[] der)
        {
            try
            {
                var reader = new AsnReader(der, AsnEncodingRules.BER);
                AsnReader sequence = reader.ReadSequence();
                reader.ThrowIfNotEmpty();
                ReadOnlySpan<byte> modulus = sequence.ReadIntegerBytes().Span, exponent = sequence.ReadIntegerBytes().Span;
                sequence.ThrowIfNotEmpty();
                if (modulus[0] >= 0x80 || exponent[0] >= 0x80)
                    throw new CryptographicException("negative RSA modulus or exponent");
                return new EkRsaPublicKey(Unsigned(modulus), Unsigned(exponent));
            }
            catch (AsnContentException e)
            {
                throw new CryptographicException("the RSA public key does not parse", e);
            }
        }

        /// <summary>A positive INTEGER's content without its sign octet.</summary>
        private static byte[] Unsigned(ReadOnlySpan<byte> integer) =>
            (integer is [0, _, ..] ? integer[1..] : integer).ToArray();

        private static int BitLength(byte[] magnitude) =>
            magnitude.Length * 8 - (BitOperations.LeadingZeroCount((uint)magnitude[0]) - 24);

        /// <summary>Whether <paramref name="quirk"/> is allowed; if so, it is recorded as accepted.</summary>
        private bool Allowed(EkCertificateQuirks quirk)
        {
            if (!validator._allowed.HasFlag(quirk))
                return false;
            _quirks |= quirk;
            return true;
        }

        private EkCertificateValidationResult Fail(EkCertificateFailure failure, string detail) =>
            EkCertificateValidationResult.Invalid(failure, detail, _quirks);

        private EkCertificateValidationResult Fail((EkCertificateFailure Failure, string Detail) refusal) => Fail(refusal.Failure, refusal.Detail);

        private X509Certificate2? Own(X509Certificate2? certificate)
        {
            if (certificate is not null) _owned.Add(certificate);
            return certificate;
        }

        public void Dispose()
        {
            foreach (X509Certificate2 certificate in _owned) certificate.Dispose();
        }
    }
}
