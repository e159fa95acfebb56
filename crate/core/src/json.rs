//! JSON text to a [`Value`] tree and back: the one reader and writer of
//! everything that crosses between machines (fleet reports, fleet snapshots,
//! leases, persisted state, breaker snapshots).
//!
//! Written for those documents rather than taken from a general library, whose
//! float parsing and printing doubled the size of the shipped wasm: every
//! number on the wire is a whole number, so a number is kept as a `u64` when
//! it is one (no sign, fraction or exponent, below 2^64) and as its text
//! otherwise, for the field check to refuse ("must be a whole number ...").
//!
//! Strict RFC 8259 syntax, and bounded work: the text is at most
//! [`MAX_JSON_BYTES`] long (checked before reading), arrays and objects nest at
//! most [`MAX_DEPTH`] deep (so reading recurses a bounded depth), an object has
//! at most [`MAX_KEYS`] keys, each once, and nothing but whitespace follows
//! the value. Strings
//! take every escape JSON has; an escaped unpaired surrogate, which no Rust
//! string can hold, is refused. Nothing here panics.

use alloc::string::String;
use alloc::vec::Vec;

use crate::text;
use crate::text::display_via_to_text;
use crate::text::Piece;

/// The longest text [`parse`] reads, in bytes.
pub const MAX_JSON_BYTES: usize = 196_608;

/// How deep arrays and objects may nest (the top level counts as 1): a breaker
/// snapshot needs 3.
pub const MAX_DEPTH: usize = 8;

/// How many keys an object may have: a wire document has a dozen at most,
/// and the check that keys are distinct compares each with those before it.
pub const MAX_KEYS: usize = 256;

/// A JSON value. Objects keep their keys in the order read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// A JSON number: a whole number below 2^64, or the text of any other
/// (negative, `-0`, with a fraction or an exponent, or 2^64 and beyond),
/// which is kept to print it again, never converted to a float.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number(Repr);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Repr {
    Whole(u64),
    Other(String),
}

impl Number {
    /// The number when it is a whole number from 0 to `u64::MAX`.
    pub fn as_u64(&self) -> Option<u64> {
        match self.0 {
            Repr::Whole(value) => Some(value),
            Repr::Other(_) => None,
        }
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Number {
        Number(Repr::Whole(value))
    }
}

/// A JSON object's members, keys distinct, in the order read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Map {
    members: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub fn new() -> Map {
        Map::default()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members.iter().find(|(name, _)| name == key).map(|(_, value)| value)
    }

    /// Sets `key` to `value`, replacing its value if present (keys stay distinct).
    pub fn insert(&mut self, key: String, value: Value) {
        match self.members.iter_mut().find(|(name, _)| *name == key) {
            Some((_, old)) => *old = value,
            None => self.members.push((key, value)),
        }
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.members.iter().map(|(name, _)| name.as_str())
    }

    /// The members, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.members.iter().map(|(name, value)| (name.as_str(), value))
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            _ => None,
        }
    }

    /// A whole number from 0 to `u64::MAX`; `None` for any other value.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::Number(number) => number.as_u64(),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Compact JSON text (no whitespace), which [`parse`] reads back to an
    /// equal value. Recurses as deep as the value nests.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(Number(Repr::Whole(value))) => value.append_to(out),
            Value::Number(Number(Repr::Other(text))) => out.push_str(text),
            Value::String(text) => write_string(out, text),
            Value::Array(items) => {
                out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (index, (key, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Appends `text` as a JSON string: quoted, with `"` and `\` escaped by a
/// backslash and control characters as `\u00XX`, everything else as is.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    let mut run = 0;
    for (at, byte) in text.bytes().enumerate() {
        if byte == b'"' || byte == b'\\' || byte < 0x20 {
            // An ASCII byte's offset is a character boundary.
            out.push_str(text.get(run..at).unwrap_or_default());
            run = at.saturating_add(1);
            out.push('\\');
            if byte < 0x20 {
                out.push_str("u00");
                out.extend(char::from_digit(u32::from(byte >> 4), 16));
                out.extend(char::from_digit(u32::from(byte & 0xf), 16));
            } else {
                out.push(char::from(byte));
            }
        }
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

/// Why a text is not JSON this reader takes: what was wrong and the byte
/// offset where it was found. `Display` is "`<message> at byte <at>`".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    pub at: usize,
    pub message: String,
}

impl JsonError {
    /// "`<message> at byte <at>`", as `Display` writes it.
    pub fn to_text(&self) -> String {
        text![self.message, " at byte ", self.at]
    }
}

display_via_to_text!(JsonError);

impl core::error::Error for JsonError {}

/// Reads `text` as one JSON value (see the module's documentation for what
/// is refused).
pub fn parse(text: &str) -> Result<Value, JsonError> {
    if text.len() > MAX_JSON_BYTES {
        return Err(JsonError { at: MAX_JSON_BYTES, message: text!["text longer than ", MAX_JSON_BYTES, " bytes"] });
    }
    let mut reader = Reader { bytes: text.as_bytes(), text, at: 0 };
    let value = reader.value(0)?;
    reader.skip_whitespace();
    match reader.peek() {
        None => Ok(value),
        Some(_) => Err(reader.error("unexpected text after the value")),
    }
}

/// A cursor over the text. `at` never passes the end (at most MAX_JSON_BYTES), so
/// stepping it cannot overflow; slices of the text are taken at ASCII bytes
/// only, so they fall on character boundaries.
struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn error(&self, message: &str) -> JsonError {
        JsonError { at: self.at, message: message.into() }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn step(&mut self) {
        self.at = self.at.saturating_add(1);
    }

    /// Steps over `byte` if it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        if next {
            self.step();
        }
        next
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.step();
        }
    }

    /// A value, after optional whitespace, inside `depth` arrays and objects.
    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(self.deeper(depth)?),
            Some(b'[') => self.array(self.deeper(depth)?),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("expected a value")),
            None => Err(self.error("expected a value, found the end of the text")),
        }
    }

    fn deeper(&self, depth: usize) -> Result<usize, JsonError> {
        match depth.checked_add(1) {
            Some(deeper) if deeper <= MAX_DEPTH => Ok(deeper),
            _ => Err(self.error("arrays and objects nested more than 8 deep")),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        let end = self.at.saturating_add(word.len());
        if self.bytes.get(self.at..end) != Some(word.as_bytes()) {
            return Err(self.error("expected a value (true, false and null are lowercase)"));
        }
        self.at = end;
        Ok(value)
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.step(); // [
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or ']' in an array"));
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.step(); // {
        let mut members: Vec<(String, Value)> = Vec::new();
        self.skip_whitespace();
        if self.eat(b'}') {
            return Ok(Value::Object(Map { members }));
        }
        loop {
            self.skip_whitespace();
            let key_at = self.at;
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a key in double quotes"));
            }
            if members.len() >= MAX_KEYS {
                return Err(self.error("an object with more than 256 keys"));
            }
            let key = self.string()?;
            if members.iter().any(|(name, _)| *name == key) {
                let mut message = String::from("duplicate key ");
                write_string(&mut message, &key);
                return Err(JsonError { at: key_at, message });
            }
            self.skip_whitespace();
            if !self.eat(b':') {
                return Err(self.error("expected ':' after a key"));
            }
            let value = self.value(depth)?;
            members.push((key, value));
            self.skip_whitespace();
            if self.eat(b'}') {
                return Ok(Value::Object(Map { members }));
            }
            if !self.eat(b',') {
                return Err(self.error("expected ',' or '}' in an object"));
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.at;
        let negative = self.eat(b'-');
        // None once the digits pass u64::MAX.
        let mut whole = Some(0u64);
        match self.peek() {
            Some(b'0') => {
                self.step();
                if matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(self.error("a number must not have a leading zero"));
                }
            }
            Some(b'1'..=b'9') => {
                while let Some(digit @ b'0'..=b'9') = self.peek() {
                    whole = whole.and_then(|value| value.checked_mul(10)).and_then(|value| value.checked_add(u64::from(digit & 0xf)));
                    self.step();
                }
            }
            _ => return Err(self.error("expected a digit")),
        }
        let mut integer = !negative;
        if self.eat(b'.') {
            self.digits()?;
            integer = false;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
            integer = false;
        }
        match whole {
            Some(value) if integer => Ok(Value::Number(Number(Repr::Whole(value)))),
            _ => Ok(Value::Number(Number(Repr::Other(self.text.get(start..self.at).unwrap_or_default().into())))),
        }
    }

    /// One or more digits.
    fn digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(self.error("expected a digit"));
        }
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.step();
        }
        Ok(())
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.step(); // "
        let mut out = String::new();
        loop {
            let run = self.at;
            while matches!(self.peek(), Some(byte) if byte != b'"' && byte != b'\\' && byte >= 0x20) {
                self.step();
            }
            out.push_str(self.text.get(run..self.at).unwrap_or_default());
            match self.peek() {
                Some(b'"') => {
                    self.step();
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                Some(_) => return Err(self.error("control character in a string (it must be escaped)")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// The character an escape stands for, the cursor on its backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let at = self.at;
        self.step(); // \
        let escaped = self.peek();
        self.step();
        match escaped {
            Some(b'"') => Ok('"'),
            Some(b'\\') => Ok('\\'),
            Some(b'/') => Ok('/'),
            Some(b'b') => Ok('\u{8}'),
            Some(b'f') => Ok('\u{c}'),
            Some(b'n') => Ok('\n'),
            Some(b'r') => Ok('\r'),
            Some(b't') => Ok('\t'),
            Some(b'u') => self.unicode_escape(at),
            None => Err(JsonError { at, message: "unterminated string".into() }),
            Some(_) => Err(JsonError {
                at,
                message: r#"unknown escape (JSON has \" \\ \/ \b \f \n \r \t and \uXXXX)"#.into(),
            }),
        }
    }

    /// `\uXXXX`, or two forming a surrogate pair; the cursor after the `u`.
    fn unicode_escape(&mut self, at: usize) -> Result<char, JsonError> {
        let unpaired = || JsonError { at, message: "unpaired surrogate in a \\u escape".into() };
        let code = match self.hex4()? {
            high @ 0xD800..=0xDBFF => {
                if !(self.eat(b'\\') && self.eat(b'u')) {
                    return Err(unpaired());
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(unpaired());
                }
                ((high & 0x3ff).wrapping_shl(10) | (low & 0x3ff)).wrapping_add(0x1_0000)
            }
            0xDC00..=0xDFFF => return Err(unpaired()),
            code => code,
        };
        char::from_u32(code).ok_or_else(unpaired)
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0u32;
        for _ in 0..4 {
            let digit = self.peek().and_then(|byte| char::from(byte).to_digit(16));
            let Some(digit) = digit else {
                return Err(self.error("expected 4 hex digits after \\u"));
            };
            code = code.wrapping_shl(4) | digit;
            self.step();
        }
        Ok(code)
    }
}
