//! `X-Hub-Signature: METHOD=HEX` on a hub's delivery: the HMAC of the body under the
//! secret syndic gave the hub, with SHA-1, SHA-256, SHA-384 or SHA-512 as the hub
//! chose (WebSub §8), compared in constant time.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};

/// Checks a delivery's signature header against `body`; why it fails, to be recorded.
pub fn verify(secret: &str, header: Option<&str>, body: &[u8]) -> Result<(), String> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or("no X-Hub-Signature")?;
    let (method, hex_digest) = header.split_once('=').ok_or("an X-Hub-Signature that is not METHOD=SIGNATURE")?;
    let signature = hex::decode(hex_digest.trim()).map_err(|_| "an X-Hub-Signature that is not hexadecimal")?;
    let matches = match method.trim().to_ascii_lowercase().as_str() {
        "sha1" => check::<Hmac<sha1::Sha1>>(secret, body, &signature),
        "sha256" => check::<Hmac<sha2::Sha256>>(secret, body, &signature),
        "sha384" => check::<Hmac<sha2::Sha384>>(secret, body, &signature),
        "sha512" => check::<Hmac<sha2::Sha512>>(secret, body, &signature),
        _ => return Err("an X-Hub-Signature of an unknown method (sha1, sha256, sha384, sha512 are known)".into()),
    };
    if matches {
        Ok(())
    } else {
        Err("an X-Hub-Signature that does not match the body".into())
    }
}

fn check<M: Mac + KeyInit>(secret: &str, body: &[u8], signature: &[u8]) -> bool {
    let Ok(mut mac) = <M as KeyInit>::new_from_slice(secret.as_bytes()) else { return false };
    mac.update(body);
    mac.verify_slice(signature).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign<M: Mac + KeyInit>(secret: &str, body: &[u8]) -> String {
        let mut mac = <M as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn every_method_the_spec_names_is_checked() {
        let body = b"<feed/>";
        for header in [
            format!("sha1={}", sign::<Hmac<sha1::Sha1>>("s", body)),
            format!("sha256={}", sign::<Hmac<sha2::Sha256>>("s", body)),
            format!("SHA384={}", sign::<Hmac<sha2::Sha384>>("s", body)),
            format!("sha512={}", sign::<Hmac<sha2::Sha512>>("s", body)),
        ] {
            assert_eq!(verify("s", Some(&header), body), Ok(()), "{header}");
            assert!(verify("other", Some(&header), body).is_err(), "{header}");
            assert!(verify("s", Some(&header), b"<feed>changed</feed>").is_err(), "{header}");
        }
    }

    #[test]
    fn missing_or_malformed_signatures_are_refused_with_a_reason() {
        assert_eq!(verify("s", None, b"x").unwrap_err(), "no X-Hub-Signature");
        assert!(verify("s", Some("sha256"), b"x").unwrap_err().contains("METHOD"));
        assert!(verify("s", Some("sha256=zz"), b"x").unwrap_err().contains("hexadecimal"));
        assert!(verify("s", Some("md5=00"), b"x").unwrap_err().contains("unknown method"));
    }
}
