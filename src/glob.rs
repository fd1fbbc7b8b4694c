//! Shell-style name patterns: `*` matches any run of characters, `?` one.
//!
//! Used for host selectors (`store-*`) and site destructive patterns
//! (`storctl pool reinit*`); no character classes, no escapes.

pub fn matches(pattern: &str, name: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern == name;
    }
    if pattern.is_ascii() && name.is_ascii() {
        return matches_in(pattern.as_bytes(), name.as_bytes());
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    matches_in(&p, &n)
}

/// The matcher over characters (or bytes, for ASCII text: no copies).
fn matches_in<T: Copy + PartialEq + From<u8>>(p: &[T], n: &[T]) -> bool {
    let (star_c, any_c) = (T::from(b'*'), T::from(b'?'));
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == any_c || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == star_c {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == star_c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn globs() {
        for (p, n, want) in [
            ("*", "x", true),
            ("a*c", "abbbc", true),
            ("a*c", "abbb", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*a*b*", "xxaxxbxx", true),
            ("store-*-m", "store-a1-m", true),
            ("store-*-m", "store-a1", false),
            ("storctl pool reinit*", "storctl pool reinit --all", true),
        ] {
            assert_eq!(super::matches(p, n), want, "{p} {n}");
        }
    }
}
