#!/usr/bin/env python3
"""A device token, its issuer's discovery document, JWKS and SPIFFE trust bundle checked by a second implementation.

Python's standard library fetches and parses; the `cryptography` package (Debian: python3-cryptography) does the
elliptic-curve work. Nothing of the service's code or of .NET is used. Usage:

    verify_token.py <jwt> <audience> <certificate.pem> <chain.pem>

The certificate is the device certificate the token must be bound to (cnf.x5t#S256, RFC 8705); the chain holds the
issuing CA that signed it. Checks, in order, and the first failure exits 1 with `FAIL: <what>`:
 1. discovery at {iss}/.well-known/openid-configuration names the same issuer, ES256, and a jwks_uri;
 2. every JWKS key is a P-256 point (the library refuses a point off the curve), public only, and its kid is its
    RFC 7638 thumbprint, computed here;
 3. the token's header names ES256 and a kid of the JWKS, and its signature verifies with that key;
 4. the claims: iss, aud, nbf <= now < exp, sub is the device URI of the certificate's SAN, cnf.x5t#S256 is the
    certificate's SHA-256 thumbprint, every claim is one discovery lists in claims_supported;
 5. the trust bundle {iss}/bundle.json publishes the same token keys as jwt-svid and the root as x509-svid authority
    (its JWK coordinates are the key of the certificate in x5c, which signed itself), and the device certificate
    chains to that root through the issuing CA.
Success prints one `OK: ...` line per check.
"""
import base64
import hashlib
import json
import sys
import time
import urllib.request

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

CURVES = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}


class Failure(Exception):
    pass


def require(condition, what):
    if not condition:
        raise Failure(what)


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url_encode(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# straight to the service, whatever proxy the environment names: the tests' service is on loopback
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch_json(url):
    with OPENER.open(url, timeout=30) as answer:
        require(answer.status == 200, f"{url} answered {answer.status}")
        return json.loads(answer.read())


def ec_key(jwk):
    require(jwk.get("kty") == "EC", f"key {jwk.get('kid')}: kty {jwk.get('kty')}")
    require(jwk.get("crv") in CURVES, f"key {jwk.get('kid')}: crv {jwk.get('crv')}")
    require("d" not in jwk, f"key {jwk.get('kid')} carries a private part")
    x, y = (int.from_bytes(b64url(jwk[c]), "big") for c in ("x", "y"))
    try:
        return ec.EllipticCurvePublicNumbers(x, y, CURVES[jwk["crv"]]).public_key()
    except ValueError as e:
        raise Failure(f"key {jwk.get('kid')} is not a point of {jwk['crv']}: {e}")


def rfc7638_thumbprint(jwk):
    members = {name: jwk[name] for name in ("crv", "kty", "x", "y")}
    return b64url_encode(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())


def signed_by(child, issuer):
    key = issuer.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(child.signature, child.tbs_certificate_bytes, ec.ECDSA(child.signature_hash_algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(child.signature, child.tbs_certificate_bytes, padding.PKCS1v15(), child.signature_hash_algorithm)
        else:
            return False
        return child.issuer == issuer.subject
    except InvalidSignature:
        return False


def main(token, audience, certificate_path, chain_path):
    parts = token.split(".")
    require(len(parts) == 3, "the token is not a compact JWS")
    header, claims, signature = json.loads(b64url(parts[0])), json.loads(b64url(parts[1])), b64url(parts[2])
    issuer = claims.get("iss")
    require(isinstance(issuer, str) and issuer.startswith("http"), f"iss {issuer!r}")

    discovery = fetch_json(f"{issuer}/.well-known/openid-configuration")
    require(discovery.get("issuer") == issuer, f"discovery issuer {discovery.get('issuer')!r} is not the token's {issuer!r}")
    require("ES256" in discovery.get("id_token_signing_alg_values_supported", []), "discovery does not name ES256")
    require(discovery.get("tls_client_certificate_bound_access_tokens") is True, "discovery does not announce certificate-bound tokens")
    print(f"OK: discovery of {issuer}")

    jwks = fetch_json(discovery["jwks_uri"])
    keys = {}
    for jwk in jwks["keys"]:
        require(jwk.get("alg") == "ES256" and jwk.get("use") == "sig" and jwk.get("crv") == "P-256", f"key {jwk.get('kid')}: {jwk}")
        require(jwk["kid"] == rfc7638_thumbprint(jwk), f"kid {jwk['kid']} is not the key's RFC 7638 thumbprint {rfc7638_thumbprint(jwk)}")
        keys[jwk["kid"]] = (jwk, ec_key(jwk))
    require(keys, "the JWKS is empty")
    print(f"OK: {len(keys)} JWKS keys, each a P-256 point whose kid is its RFC 7638 thumbprint")

    require(header.get("alg") == "ES256", f"header alg {header.get('alg')}")
    require(header.get("kid") in keys, f"kid {header.get('kid')} is not published in the JWKS")
    require(len(signature) == 64, f"an ES256 signature is 64 bytes, not {len(signature)}")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        keys[header["kid"]][1].verify(der, f"{parts[0]}.{parts[1]}".encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise Failure(f"the signature does not verify with key {header['kid']}")
    print(f"OK: ES256 signature verified with {header['kid']}")

    with open(certificate_path, "rb") as f:
        certificate = x509.load_pem_x509_certificate(f.read())
    now = time.time()
    require(claims.get("aud") == audience, f"aud {claims.get('aud')!r}")
    require(claims["nbf"] <= now + 5 and now < claims["exp"], f"not within nbf {claims['nbf']} .. exp {claims['exp']} (now {now:.0f})")
    uris = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.UniformResourceIdentifier)
    require(claims.get("sub") in uris, f"sub {claims.get('sub')!r} is not a URI of the certificate ({uris})")
    thumbprint = b64url_encode(hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).digest())
    require(claims.get("cnf", {}).get("x5t#S256") == thumbprint, f"cnf.x5t#S256 {claims.get('cnf')} is not the certificate's {thumbprint}")
    unlisted = sorted(set(claims) - set(discovery.get("claims_supported", [])))
    require(not unlisted, f"claims not in claims_supported: {unlisted}")
    print(f"OK: claims of {claims['sub']} for {audience}, bound to the certificate")

    bundle = fetch_json(f"{issuer}/bundle.json")
    jwt_svids = {k["kid"]: k for k in bundle["keys"] if k.get("use") == "jwt-svid"}
    require(set(jwt_svids) == set(keys), f"bundle jwt-svid keys {sorted(jwt_svids)} are not the JWKS keys {sorted(keys)}")
    for kid, k in jwt_svids.items():
        require((k["x"], k["y"]) == (keys[kid][0]["x"], keys[kid][0]["y"]), f"bundle key {kid} differs from the JWKS")
    authorities = [k for k in bundle["keys"] if k.get("use") == "x509-svid"]
    require(len(authorities) >= 1, "the bundle has no x509-svid authority")
    roots = []
    for authority in authorities:
        root = x509.load_der_x509_certificate(base64.b64decode(authority["x5c"][0]))
        require(root.public_key().public_numbers() == ec_key(authority).public_numbers(),
                "an x509-svid authority's coordinates are not its certificate's key")
        require(signed_by(root, root), f"the x509-svid authority {root.subject.rfc4514_string()} is not self-signed")
        roots.append(root)
    with open(chain_path, "rb") as f:
        # one PEM block at a time: load_pem_x509_certificates is newer than Debian 12's cryptography 38
        chain = [x509.load_pem_x509_certificate(b"-----BEGIN CERTIFICATE-----" + block) for block in f.read().split(b"-----BEGIN CERTIFICATE-----")[1:]]
    intermediates = [c for c in chain if c.public_bytes(serialization.Encoding.DER) != certificate.public_bytes(serialization.Encoding.DER)]
    require(any(signed_by(certificate, ca) and any(signed_by(ca, root) for root in roots) for ca in intermediates),
            "the device certificate does not chain to the bundle's x509-svid authority through the issuing CA")
    print(f"OK: trust bundle: {len(jwt_svids)} jwt-svid keys as the JWKS, the device certificate chains to its x509-svid authority")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        main(*sys.argv[1:])
    except Failure as failure:
        print(f"FAIL: {failure}")
        sys.exit(1)
