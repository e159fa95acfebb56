//! Messages and JSON text built by appending pieces, without `core::fmt`
//! (for the core, and the bindings' few texts of their own):
//! every text the core writes is words and integers, and `fmt`'s machinery
//! (padding, width, the `Display` plumbing for integers) would cost each wasm
//! build about 6 KB for it.
//!
//! ```text
//! let message = text!["must be at most ", MAX_SNAPSHOT_BYTES, " bytes of JSON; got ", length];
//! ```

#[doc(hidden)] // for `text!`
pub use alloc::string::String;

/// A piece of text: words, an integer in decimal, a bool, or an optional
/// integer (JSON's `null` when absent).
pub trait Piece {
    fn append_to(&self, out: &mut String);
}

impl Piece for str {
    fn append_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl Piece for String {
    fn append_to(&self, out: &mut String) {
        out.push_str(self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn append_to(&self, out: &mut String) {
        (**self).append_to(out);
    }
}

impl Piece for u64 {
    fn append_to(&self, out: &mut String) {
        append_decimal(out, *self);
    }
}

impl Piece for u32 {
    fn append_to(&self, out: &mut String) {
        append_decimal(out, u64::from(*self));
    }
}

impl Piece for usize {
    fn append_to(&self, out: &mut String) {
        append_decimal(out, *self as u64);
    }
}

impl Piece for bool {
    fn append_to(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

impl Piece for Option<u64> {
    fn append_to(&self, out: &mut String) {
        match self {
            Some(value) => append_decimal(out, *value),
            None => out.push_str("null"),
        }
    }
}

/// Appends `value` in decimal.
fn append_decimal(out: &mut String, value: u64) {
    if value >= 10 {
        append_decimal(out, value / 10);
    }
    out.extend(char::from_digit((value % 10) as u32, 10));
}

/// `text![piece, …]`: the pieces ([`text::Piece`](crate::text::Piece)) appended in order, as a `String`.
#[macro_export]
macro_rules! text {
    ($($piece:expr),* $(,)?) => {{
        let mut out = $crate::text::String::new();
        $( $crate::text::Piece::append_to(&$piece, &mut out); )*
        out
    }};
}

/// `Display` for types that write their own text with `to_text` (so that the
/// core's texts stay out of `fmt`'s machinery): `display_via_to_text!(Rule);`.
macro_rules! display_via_to_text {
    ($type:ty) => {
        impl core::fmt::Display for $type {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(&self.to_text())
            }
        }
    };
}
pub(crate) use display_via_to_text;

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_are_appended_in_order_with_integers_in_decimal() {
        let owned = alloc::string::String::from("owned");
        let text = text!["a ", 0u64, " ", 7u32, " ", 1_234_567_890usize, " ", u64::MAX, " ", owned, " ", true, " ", Some(12u64), " ", None::<u64>];
        assert_eq!(text, "a 0 7 1234567890 18446744073709551615 owned true 12 null");
    }
}
