//! sprig's crypto functions: `genPrivateKey` (rsa 4096 / ecdsa P-256 /
//! ed25519 PEM exactly as Go's x509 marshals them), `genCA`,
//! `genSelfSignedCert`, `genSignedCert` (+ `*WithKey`, `buildCustomCert`)
//! producing X.509 v3 certificates with the same fields and extensions as
//! Go's `x509.CreateCertificate` (DER written here), `derivePassword`
//! (Master Password: scrypt + HMAC-SHA256), `bcrypt`/`htpasswd` (`$2a$`,
//! cost 10), `encryptAES`/`decryptAES` (AES-256-CBC, random IV, PKCS#7
//! padding, base64), `randBytes`, random strings and `uuidv4`.

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt};
use getrandom::SysRng;
use hmac::{KeyInit as _, Mac};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::pkcs8::DecodePrivateKey;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};

use super::encoding::{b64_decode, b64_encode};

/// Random bytes from the OS (Go `crypto/rand`).
pub fn random_bytes(n: usize) -> Result<Vec<u8>, String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| e.to_string())?;
    Ok(buf)
}

thread_local! {
    /// OS random bytes not yet used by [`random_u64`], and how many of them
    /// are used: filled 256 bytes at a time (a 40-character `randAlphaNum`
    /// was 40 system calls).
    static POOL: std::cell::RefCell<([u8; 256], usize)> = const { std::cell::RefCell::new(([0; 256], 256)) };
}

/// A random `u64` from the OS generator (through [`POOL`]).
fn random_u64() -> Result<u64, String> {
    POOL.with(|pool| {
        let (bytes, used) = &mut *pool.borrow_mut();
        if *used + 8 > bytes.len() {
            getrandom::fill(bytes).map_err(|e| e.to_string())?;
            *used = 0;
        }
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[*used..*used + 8]);
        *used += 8;
        Ok(u64::from_le_bytes(word))
    })
}

/// A uniform random integer in `0..n` (rejection sampling).
pub fn random_below(n: u64) -> Result<u64, String> {
    if n <= 1 {
        return Ok(0);
    }
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let v = random_u64()?;
        if v < zone {
            return Ok(v % n);
        }
    }
}

/// goutils `CryptoRandom(count, start, end, letters, numbers)` for the
/// alphabets sprig uses (`randAlpha`, `randNumeric`, `randAlphaNum`,
/// `randAscii`). A negative count is an error sprig swallows (result "").
pub fn random_string(count: i64, letters: bool, numbers: bool, ascii: bool) -> Result<String, String> {
    if count == 0 {
        return Ok(String::new());
    }
    if count < 0 {
        return Err(format!(
            "randomstringutils illegal argument: Requested random string length {count} is less than 0."
        ));
    }
    let (start, end) = if ascii { (32u64, 127u64) } else { (32, 123) };
    let mut out = String::with_capacity(count as usize);
    while (out.len() as i64) < count {
        let c = char::from((start + random_below(end - start)?) as u8);
        let ok = ascii || (letters && c.is_ascii_alphabetic()) || (numbers && c.is_ascii_digit());
        if ok {
            out.push(c);
        }
    }
    Ok(out)
}

/// sprig `uuidv4` (google/uuid `New().String()`).
pub fn uuidv4() -> Result<String, String> {
    let mut b = random_bytes(16)?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// sprig `randBytes n`: base64 of n random bytes.
pub fn rand_bytes(n: i64) -> Result<String, String> {
    if n < 0 {
        return Err("runtime error: makeslice: len out of range".into());
    }
    Ok(b64_encode(&random_bytes(n as usize)?))
}

/// sprig `bcrypt` (Go `bcrypt.GenerateFromPassword(p, 10)`, `$2a$`).
pub fn bcrypt_hash(input: &str) -> String {
    if input.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes".into();
    }
    match bcrypt::hash_with_result(input, 10) {
        Ok(h) => h.format_for_version(bcrypt::Version::TwoA),
        Err(e) => format!("failed to encrypt string with bcrypt: {e}"),
    }
}

/// sprig `htpasswd user password`.
pub fn htpasswd(user: &str, password: &str) -> String {
    if user.contains(':') {
        return format!("invalid username: {user}");
    }
    format!("{user}:{}", bcrypt_hash(password))
}

const MASTER_SEED: &str = "com.lyndir.masterpassword";

fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_chars(c: u8) -> &'static str {
    match c {
        b'V' => "AEIOU",
        b'C' => "BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => "aeiou",
        b'c' => "bcdfghjklmnpqrstvwxyz",
        b'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => "0123456789",
        b'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
        _ => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// sprig `derivePassword counter type password user site` (deterministic).
pub fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(tpls) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    let mut salt = MASTER_SEED.as_bytes().to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2) {
        Ok(p) => p,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    if let Err(e) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {e}");
    }
    let mut msg = MASTER_SEED.as_bytes().to_vec();
    msg.extend_from_slice(&(site.len() as u32).to_be_bytes());
    msg.extend_from_slice(site.as_bytes());
    msg.extend_from_slice(&counter.to_be_bytes());
    let mut mac = match hmac::Hmac::<Sha256>::new_from_slice(&key) {
        Ok(m) => m,
        Err(e) => return format!("failed to derive password: {e}"),
    };
    mac.update(&msg);
    let seed = mac.finalize().into_bytes();
    let tpl = tpls[usize::from(seed[0]) % tpls.len()].as_bytes();
    tpl.iter()
        .enumerate()
        .map(|(i, &c)| {
            let chars = template_chars(c).as_bytes();
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}

fn aes_key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let p = password.as_bytes();
    let n = p.len().min(32);
    key[..n].copy_from_slice(&p[..n]);
    key
}

/// sprig `encryptAES password plaintext`.
pub fn encrypt_aes(password: &str, plaintext: &str) -> Result<String, String> {
    if plaintext.is_empty() {
        return Ok(String::new());
    }
    let cipher = aes::Aes256::new(&aes_key(password).into());
    let mut content = plaintext.as_bytes().to_vec();
    let pad = 16 - content.len() % 16;
    content.extend(std::iter::repeat_n(pad as u8, pad));
    let iv = random_bytes(16)?;
    let mut out = iv.clone();
    let mut prev: [u8; 16] = iv.try_into().map_err(|_| "iv length")?;
    for chunk in content.chunks(16) {
        let mut block = [0u8; 16];
        for i in 0..16 {
            block[i] = chunk[i] ^ prev[i];
        }
        let mut b = block.into();
        cipher.encrypt_block(&mut b);
        prev = b.into();
        out.extend_from_slice(&prev);
    }
    Ok(b64_encode(&out))
}

/// sprig `decryptAES password base64`.
pub fn decrypt_aes(password: &str, crypt64: &str) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    let crypt = b64_decode(crypt64)?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let body = &crypt[16..];
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".into());
    }
    if body.is_empty() {
        return Err("runtime error: index out of range [-1]".into());
    }
    let cipher = aes::Aes256::new(&aes_key(password).into());
    let mut prev: [u8; 16] = crypt[..16].try_into().map_err(|_| "iv length")?;
    let mut out = Vec::with_capacity(body.len());
    for chunk in body.chunks(16) {
        let c: [u8; 16] = chunk.try_into().map_err(|_| "block length")?;
        let mut b = c.into();
        cipher.decrypt_block(&mut b);
        let plain: [u8; 16] = b.into();
        for i in 0..16 {
            out.push(plain[i] ^ prev[i]);
        }
        prev = c;
    }
    let pad = usize::from(out[out.len() - 1]);
    if pad > out.len() {
        return Err(format!(
            "runtime error: slice bounds out of range [:{}]",
            out.len() as i64 - pad as i64
        ));
    }
    out.truncate(out.len() - pad);
    Ok(String::from_utf8_lossy(&out).into_owned())
}

// ---------------------------------------------------------------- DER ----

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().iter().copied().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    der(0x30, &parts.concat())
}

/// A DER INTEGER from big-endian unsigned bytes.
fn der_uint(be: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = be.iter().copied().skip_while(|&b| b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    der(0x02, &v)
}

fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![(arcs[0] * 40 + arcs[1]) as u8];
    for &a in &arcs[2..] {
        let mut stack = vec![(a & 0x7f) as u8];
        let mut a = a >> 7;
        while a > 0 {
            stack.push(0x80 | (a & 0x7f) as u8);
            a >>= 7;
        }
        body.extend(stack.iter().rev());
    }
    der(0x06, &body)
}

fn bit_string(bytes: &[u8], unused: u8) -> Vec<u8> {
    let mut c = vec![unused];
    c.extend_from_slice(bytes);
    der(0x03, &c)
}

/// Reads one TLV: (tag, content, rest).
fn read_tlv(d: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *d.first()?;
    let l0 = *d.get(1)?;
    let (len, hdr) = if l0 < 0x80 {
        (usize::from(l0), 2)
    } else {
        let n = usize::from(l0 & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*d.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    if end > d.len() {
        return None;
    }
    Some((tag, &d[hdr..end], &d[end..]))
}

const ED25519_OID: [u64; 4] = [1, 3, 101, 112];

/// A private key of one of the types sprig handles.
pub enum PrivKey {
    Rsa(Box<rsa::PrivateKey>),
    Ec(p256::SecretKey),
    Ed25519([u8; 32]),
}

impl PrivKey {
    /// PEM as sprig's `pemBlockForKey` writes it.
    pub fn to_pem(&self) -> Result<String, String> {
        let (ty, der_bytes) = match self {
            PrivKey::Rsa(k) => (
                "RSA PRIVATE KEY",
                k.to_pkcs1_der().map_err(|e| e.to_string())?.as_bytes().to_vec(),
            ),
            PrivKey::Ec(k) => (
                "EC PRIVATE KEY",
                k.to_sec1_der().map_err(|e| e.to_string())?.to_vec(),
            ),
            PrivKey::Ed25519(seed) => (
                "PRIVATE KEY",
                seq(&[
                    der_uint(&[0]),
                    seq(&[oid(&ED25519_OID)]),
                    der(0x04, &der(0x04, seed)),
                ]),
            ),
        };
        Ok(pem_encode(ty, &der_bytes))
    }

    /// (SubjectPublicKeyInfo DER, the public key bits inside it).
    fn public_key_info(&self) -> (Vec<u8>, Vec<u8>) {
        match self {
            PrivKey::Rsa(k) => {
                let bits = seq(&[der_uint(&k.n().to_be_bytes()), der_uint(&k.e().to_be_bytes())]);
                let alg = seq(&[oid(&[1, 2, 840, 113549, 1, 1, 1]), vec![0x05, 0x00]]);
                (seq(&[alg, bit_string(&bits, 0)]), bits)
            }
            PrivKey::Ec(k) => {
                let point = k.public_key().to_sec1_bytes().to_vec();
                let alg = seq(&[oid(&[1, 2, 840, 10045, 2, 1]), oid(&[1, 2, 840, 10045, 3, 1, 7])]);
                (seq(&[alg, bit_string(&point, 0)]), point)
            }
            PrivKey::Ed25519(seed) => {
                let sk = ed25519_dalek::SigningKey::from_bytes(seed);
                let pk = sk.verifying_key().to_bytes().to_vec();
                (seq(&[seq(&[oid(&ED25519_OID)]), bit_string(&pk, 0)]), pk)
            }
        }
    }

    /// (signatureAlgorithm DER, signature over `msg`) as Go's x509 picks them.
    fn sign(&self, msg: &[u8]) -> Result<(Vec<u8>, Vec<u8>), String> {
        use ed25519_dalek::Signer as _;
        match self {
            PrivKey::Rsa(k) => {
                let sig = k.pkcs1v15_sign::<Sha256>(msg).map_err(|e| e.to_string())?;
                Ok((seq(&[oid(&[1, 2, 840, 113549, 1, 1, 11]), vec![0x05, 0x00]]), sig))
            }
            PrivKey::Ec(k) => {
                use p256::ecdsa::signature::Signer;
                let sk = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = sk.sign(msg);
                Ok((
                    seq(&[oid(&[1, 2, 840, 10045, 4, 3, 2])]),
                    sig.to_der().as_bytes().to_vec(),
                ))
            }
            PrivKey::Ed25519(seed) => {
                let sk = ed25519_dalek::SigningKey::from_bytes(seed);
                Ok((seq(&[oid(&ED25519_OID)]), sk.sign(msg).to_bytes().to_vec()))
            }
        }
    }
}

fn rsa_key(bits: usize) -> Result<PrivKey, String> {
    rsa::PrivateKey::new(&mut SysRng, bits)
        .map(|k| PrivKey::Rsa(Box::new(k)))
        .map_err(|e| e.to_string())
}

/// sprig `genPrivateKey type` (PEM text, or the error text sprig returns).
pub fn gen_private_key(kind: &str) -> String {
    let key = match kind {
        "" | "rsa" => rsa_key(4096),
        "ecdsa" => loop {
            let b = match random_bytes(32) {
                Ok(b) => b,
                Err(e) => break Err(e),
            };
            if let Ok(k) = p256::SecretKey::from_slice(&b) {
                break Ok(PrivKey::Ec(k));
            }
        },
        "ed25519" => random_bytes(32).map(|b| {
            let mut seed = [0u8; 32];
            seed.copy_from_slice(&b);
            PrivKey::Ed25519(seed)
        }),
        "dsa" => Err("DSA key generation is not supported by this renderer".into()),
        other => return format!("Unknown type {other}"),
    };
    match key.and_then(|k| k.to_pem()) {
        Ok(p) => p,
        Err(e) => format!("failed to generate private key: {e}"),
    }
}

/// Go `pem.EncodeToMemory`.
pub fn pem_encode(ty: &str, data: &[u8]) -> String {
    let b = b64_encode(data);
    let mut out = format!("-----BEGIN {ty}-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {ty}-----\n"));
    out
}

/// Go `pem.Decode` (first block): (type, bytes).
pub fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let ty_end = rest.find("-----")?;
    let ty = &rest[..ty_end];
    let body = &rest[ty_end + 5..];
    let end_marker = format!("-----END {ty}-----");
    let end = body.find(&end_marker)?;
    let b64: String = body[..end]
        .lines()
        .filter(|l| !l.contains(':'))
        .collect::<String>()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    Some((ty.to_string(), b64_decode(&b64).ok()?))
}

/// sprig `parsePrivateKeyPEM`.
pub fn parse_private_key_pem(text: &str) -> Result<PrivKey, String> {
    let (ty, data) = pem_decode(text).ok_or("no PEM data in input")?;
    if ty == "PRIVATE KEY" {
        if let Ok(k) = rsa::PrivateKey::from_pkcs8_der(&data) {
            return Ok(PrivKey::Rsa(Box::new(k)));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(&data) {
            return Ok(PrivKey::Ec(k));
        }
        // Ed25519 PKCS#8: SEQ { INT 0, SEQ { OID }, OCTET STRING { OCTET STRING seed } }.
        let parsed = (|| {
            let (_, inner, _) = read_tlv(&data)?;
            let (_, _, r) = read_tlv(inner)?;
            let (_, alg, r) = read_tlv(r)?;
            let (_, o, _) = read_tlv(alg)?;
            if der(0x06, o) != oid(&ED25519_OID) {
                return None;
            }
            let (_, os, _) = read_tlv(r)?;
            let (_, seed, _) = read_tlv(os)?;
            <[u8; 32]>::try_from(seed).ok()
        })();
        return parsed
            .map(PrivKey::Ed25519)
            .ok_or_else(|| "decoding PEM as PKCS#8: x509: failed to parse private key".into());
    }
    let Some(kind) = ty.strip_suffix(" PRIVATE KEY") else {
        return Err(format!("no private key data in PEM block of type {ty}"));
    };
    match kind {
        "RSA" => rsa::PrivateKey::from_pkcs1_der(&data)
            .map(|k| PrivKey::Rsa(Box::new(k)))
            .map_err(|e| format!("parsing RSA private key from PEM: {e}")),
        "EC" => p256::SecretKey::from_sec1_der(&data)
            .map(PrivKey::Ec)
            .map_err(|e| format!("parsing EC private key from PEM: {e}")),
        "DSA" => Err("parsing DSA private key from PEM: DSA keys are not supported by this renderer".into()),
        _ => Err(format!("invalid private key type {ty}")),
    }
}

/// sprig's `certificate{Cert, Key}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Certificate {
    pub cert: String,
    pub key: String,
}

fn name_der(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    let printable = cn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    let value = der(if printable { 0x13 } else { 0x0c }, cn.as_bytes());
    seq(&[der(0x31, &seq(&[oid(&[2, 5, 4, 3]), value]))])
}

fn der_time(unix: i64) -> Vec<u8> {
    let t = super::godate::GoTime {
        sec: unix,
        nsec: 0,
        loc: super::godate::Location::Utc,
        mono: None,
    };
    let year = t.year();
    if (1950..2050).contains(&year) {
        der(0x17, t.format("060102150405Z").as_bytes())
    } else {
        der(0x18, t.format("20060102150405Z").as_bytes())
    }
}

/// Inputs of sprig's `getBaseCertTemplate`.
pub struct CertRequest<'a> {
    pub cn: &'a str,
    pub ips: Vec<std::net::IpAddr>,
    pub dns: Vec<String>,
    pub days_valid: i64,
    pub is_ca: bool,
}

/// The parts of a parsed issuer certificate that signing needs.
struct Issuer {
    subject: Vec<u8>,
    skid: Option<Vec<u8>>,
}

fn parse_issuer(cert_der: &[u8]) -> Option<Issuer> {
    let (_, cert, _) = read_tlv(cert_der)?;
    let (_, tbs, _) = read_tlv(cert)?;
    let mut r = tbs;
    // version [0] (optional), serial, sigalg, issuer, validity, subject, spki, exts.
    let (tag, _, rest) = read_tlv(r)?;
    if tag == 0xa0 {
        r = rest;
    }
    let (_, _, r) = read_tlv(r)?; // serial
    let (_, _, r) = read_tlv(r)?; // sig alg
    let (_, _, r) = read_tlv(r)?; // issuer
    let (_, _, r) = read_tlv(r)?; // validity
    let subject_len = r.len() - read_tlv(r)?.2.len();
    let subject = r[..subject_len].to_vec();
    let (_, _, mut r) = read_tlv(r)?; // subject
    let (_, _, rest) = read_tlv(r)?; // spki
    r = rest;
    let mut skid = None;
    while let Some((tag, content, rest)) = read_tlv(r) {
        if tag == 0xa3 {
            let (_, exts, _) = read_tlv(content)?;
            let mut e = exts;
            while let Some((_, ext, rest)) = read_tlv(e) {
                let (_, id, after) = read_tlv(ext)?;
                if der(0x06, id) == oid(&[2, 5, 29, 14]) {
                    let (t, v, after2) = read_tlv(after)?;
                    let v = if t == 0x01 { read_tlv(after2)?.1 } else { v };
                    skid = Some(read_tlv(v)?.1.to_vec());
                }
                e = rest;
            }
        }
        r = rest;
    }
    Some(Issuer { subject, skid })
}

fn ext(id: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(vec![0x01, 0x01, 0xff]);
    }
    parts.push(der(0x04, &value));
    seq(&parts)
}

/// Go `x509.CreateCertificate` for sprig's templates; returns PEM.
fn create_certificate(
    req: &CertRequest<'_>,
    signee: &PrivKey,
    issuer: Option<(&Issuer, &PrivKey)>,
) -> Result<String, String> {
    let mut serial = random_bytes(16)?;
    serial[0] &= 0xff;
    let subject = name_der(req.cn);
    let issuer_name = issuer
        .map(|(i, _)| i.subject.clone())
        .unwrap_or_else(|| subject.clone());
    let signer = issuer.map(|(_, k)| k).unwrap_or(signee);
    let (spki, pub_bits) = signee.public_key_info();
    let now = super::godate::GoTime::now().sec;
    let not_after = now + 86_400 * req.days_valid;

    let ku: u16 = if req.is_ca { 1 | 4 | 32 } else { 1 | 4 };
    let ku_byte = (ku as u8).reverse_bits();
    let mut exts = vec![
        ext(
            &[2, 5, 29, 15],
            true,
            bit_string(&[ku_byte], ku_byte.trailing_zeros() as u8),
        ),
        ext(
            &[2, 5, 29, 37],
            false,
            seq(&[
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]),
                oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]),
            ]),
        ),
        ext(
            &[2, 5, 29, 19],
            true,
            if req.is_ca {
                seq(&[vec![0x01, 0x01, 0xff]])
            } else {
                seq(&[])
            },
        ),
    ];
    if req.is_ca {
        let h = Sha256::digest(&pub_bits);
        exts.push(ext(&[2, 5, 29, 14], false, der(0x04, &h[..20])));
    }
    if let Some((iss, _)) = issuer {
        if iss.subject != subject {
            if let Some(skid) = &iss.skid {
                exts.push(ext(&[2, 5, 29, 35], false, seq(&[der(0x80, skid)])));
            }
        }
    }
    if !req.dns.is_empty() || !req.ips.is_empty() {
        let mut names = Vec::new();
        for d in &req.dns {
            names.push(der(0x82, d.as_bytes()));
        }
        for ip in &req.ips {
            let bytes = match ip {
                std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
                std::net::IpAddr::V6(v6) => v6.octets().to_vec(),
            };
            names.push(der(0x87, &bytes));
        }
        exts.push(ext(&[2, 5, 29, 17], req.cn.is_empty(), seq(&names)));
    }
    let (sig_alg, _) = signer.sign(b"")?;
    let tbs = seq(&[
        der(0xa0, &der_uint(&[2])),
        der_uint(&serial),
        sig_alg.clone(),
        issuer_name,
        seq(&[der_time(now), der_time(not_after)]),
        subject,
        spki,
        der(0xa3, &seq(&exts)),
    ]);
    let (alg, sig) = signer.sign(&tbs)?;
    let cert = seq(&[tbs, alg, bit_string(&sig, 0)]);
    Ok(pem_encode("CERTIFICATE", &cert))
}

/// sprig `getNetIPs`: Go `net.ParseIP` on each entry.
pub fn parse_ips(ips: &[String]) -> Result<Vec<std::net::IpAddr>, String> {
    ips.iter()
        .map(|s| s.parse().map_err(|_| format!("error parsing ip: {s}")))
        .collect()
}

fn finish(
    req: &CertRequest<'_>,
    key: PrivKey,
    issuer: Option<(&Issuer, &PrivKey)>,
) -> Result<Certificate, String> {
    let cert =
        create_certificate(req, &key, issuer).map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(Certificate {
        cert,
        key: key.to_pem()?,
    })
}

fn key_or_new(pem: Option<&str>) -> Result<PrivKey, String> {
    match pem {
        Some(p) => parse_private_key_pem(p).map_err(|e| format!("parsing private key: {e}")),
        None => rsa_key(2048).map_err(|e| format!("error generating rsa key: {e}")),
    }
}

/// sprig `genCA` / `genCAWithKey` / `genSelfSignedCert` / `genSelfSignedCertWithKey`.
pub fn gen_self_signed(req: &CertRequest<'_>, key_pem: Option<&str>) -> Result<Certificate, String> {
    let key = key_or_new(key_pem)?;
    finish(req, key, None)
}

/// sprig `genSignedCert` / `genSignedCertWithKey`.
pub fn gen_signed(
    req: &CertRequest<'_>,
    ca: &Certificate,
    key_pem: Option<&str>,
) -> Result<Certificate, String> {
    let key = key_or_new(key_pem)?;
    let (_, ca_der) = pem_decode(&ca.cert).ok_or("unable to decode certificate")?;
    let issuer = parse_issuer(&ca_der)
        .ok_or("error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate")?;
    let ca_key = parse_private_key_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
    finish(req, key, Some((&issuer, &ca_key)))
}

/// sprig `buildCustomCert base64cert base64key`.
pub fn build_custom_cert(b64cert: &str, b64key: &str) -> Result<Certificate, String> {
    let cert = b64_decode(b64cert).map_err(|_| "unable to decode base64 certificate")?;
    let key = b64_decode(b64key).map_err(|_| "unable to decode base64 private key")?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der_bytes) = pem_decode(&cert).ok_or("unable to decode certificate")?;
    parse_issuer(&der_bytes)
        .ok_or("error parsing certificate: decodedCert.Bytes: x509: malformed certificate")?;
    parse_private_key_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(Certificate { cert, key })
}

#[cfg(test)]
mod tests {
    use super::*;

    // derivePassword is deterministic: expected values from Helm v4.3.1.
    #[test]
    fn derive_password_matches_helm() {
        assert_eq!(
            derive_password(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(
            derive_password(2, "maximum", "pw", "u", "s"),
            "S2$TYTKe9bU9YXWCqT@%"
        );
        assert_eq!(derive_password(1, "pin", "pw", "u", "s"), "6287");
        assert_eq!(
            derive_password(1, "nope", "pw", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trip_and_shape() {
        let c = encrypt_aes("secretkey", "hello world").unwrap();
        assert_eq!(b64_decode(&c).unwrap().len(), 32);
        assert_eq!(decrypt_aes("secretkey", &c).unwrap(), "hello world");
        assert_eq!(encrypt_aes("k", "").unwrap(), "");
        // A ciphertext produced by Helm v4.3.1: encryptAES "secretkey" "hello".
        assert_eq!(
            decrypt_aes("secretkey", "u+BUloWjdVEG1karqkQZZBsTiYQrhyQz3VgG7FbIj5c=").unwrap(),
            "hello"
        );
    }

    #[test]
    fn bcrypt_and_randoms_have_go_shape() {
        let h = htpasswd("user", "pw");
        assert!(h.starts_with("user:$2a$10$") && h.len() == 65, "{h}");
        assert!(bcrypt::verify("pw", &h[5..]).unwrap());
        assert_eq!(htpasswd("a:b", "x"), "invalid username: a:b");
        let u = uuidv4().unwrap();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!("89ab".contains(&u[19..20]));
        let s = random_string(100, true, false, false).unwrap();
        assert!(s.len() == 100 && s.chars().all(|c| c.is_ascii_alphabetic()));
        let s = random_string(100, false, true, false).unwrap();
        assert!(s.chars().all(|c| c.is_ascii_digit()));
        let s = random_string(100, true, true, false).unwrap();
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        let s = random_string(200, false, false, true).unwrap();
        assert!(s.chars().all(|c| (' '..='~').contains(&c)));
        assert_eq!(b64_decode(&rand_bytes(24).unwrap()).unwrap().len(), 24);
    }

    #[test]
    fn private_keys_parse_back() {
        for kind in ["ecdsa", "ed25519"] {
            let pem = gen_private_key(kind);
            assert!(pem.ends_with(" PRIVATE KEY-----\n"), "{pem}");
            parse_private_key_pem(&pem).unwrap();
        }
        let ec = gen_private_key("ecdsa");
        let (ty, d) = pem_decode(&ec).unwrap();
        assert_eq!(ty, "EC PRIVATE KEY");
        assert_eq!(&d[..7], &[0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20]);
        let ed = gen_private_key("ed25519");
        assert!(
            ed.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"),
            "{ed}"
        );
        assert_eq!(gen_private_key("x"), "Unknown type x");
    }

    #[test]
    fn certificates_chain() {
        // The default CA key is RSA 2048, like sprig's genCA.
        let ca = gen_self_signed(
            &CertRequest {
                cn: "my-ca",
                ips: vec![],
                dns: vec![],
                days_valid: 10,
                is_ca: true,
            },
            None,
        )
        .unwrap();
        assert!(ca.key.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
        let ec_ca = gen_self_signed(
            &CertRequest {
                cn: "ec-ca",
                ips: vec![],
                dns: vec![],
                days_valid: 10,
                is_ca: true,
            },
            Some(&gen_private_key("ecdsa")),
        )
        .unwrap();
        assert!(ec_ca.key.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        let ca_der = pem_decode(&ca.cert).unwrap().1;
        let iss = parse_issuer(&ca_der).unwrap();
        assert_eq!(iss.subject, name_der("my-ca"));
        assert_eq!(iss.skid.as_ref().map(Vec::len), Some(20));
        let leaf = gen_signed(
            &CertRequest {
                cn: "srv",
                ips: parse_ips(&["10.0.0.1".into(), "::1".into()]).unwrap(),
                dns: vec!["x.y".into()],
                days_valid: 5,
                is_ca: false,
            },
            &ca,
            Some(&gen_private_key("ed25519")),
        )
        .unwrap();
        assert!(leaf.cert.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert!(build_custom_cert(
            &b64_encode(leaf.cert.as_bytes()),
            &b64_encode(leaf.key.as_bytes())
        )
        .is_ok());
        assert!(parse_ips(&["300.1.1.1".into()]).is_err());
    }
}
