#![allow(clippy::unwrap_used, clippy::panic, clippy::arithmetic_side_effects)]
//! The wire's JSON reader and writer (`edgebreaker_core::json`): what it
//! reads, what it refuses and where, and that printing reads back.

use edgebreaker_core::json::{parse, JsonError, Map, Number, Value, MAX_DEPTH, MAX_JSON_BYTES, MAX_KEYS};

fn string(text: &str) -> Value {
    Value::String(text.to_string())
}

fn whole(value: u64) -> Value {
    Value::Number(Number::from(value))
}

fn object(members: &[(&str, Value)]) -> Value {
    let mut map = Map::new();
    for (key, value) in members {
        map.insert(key.to_string(), value.clone());
    }
    Value::Object(map)
}

/// The refusal's message and offset.
fn refusal(text: &str) -> (String, usize) {
    match parse(text) {
        Err(JsonError { at, message }) => (message, at),
        Ok(value) => panic!("{text:?} read as {value:?}"),
    }
}

fn refused_with(text: &str, message: &str) {
    let (got, _) = refusal(text);
    assert!(got.contains(message), "{text:?}: {got:?} does not contain {message:?}");
}

#[test]
fn every_kind_of_value_is_read() {
    assert_eq!(parse("null"), Ok(Value::Null));
    assert_eq!(parse("true"), Ok(Value::Bool(true)));
    assert_eq!(parse("false"), Ok(Value::Bool(false)));
    assert_eq!(parse("0"), Ok(whole(0)));
    assert_eq!(parse("9007199254740991"), Ok(whole(9_007_199_254_740_991)));
    assert_eq!(parse("18446744073709551615"), Ok(whole(u64::MAX)));
    assert_eq!(parse(r#""half_open""#), Ok(string("half_open")));
    assert_eq!(parse("[]"), Ok(Value::Array(vec![])));
    assert_eq!(parse("{}"), Ok(Value::Object(Map::new())));
    let snapshot = r#" {"version" : 1, "window": [ {"ageMs":5,"failed":true} ], "lastFailureAgoMs":null}
    "#;
    let expected = object(&[
        ("version", whole(1)),
        ("window", Value::Array(vec![object(&[("ageMs", whole(5)), ("failed", Value::Bool(true))])])),
        ("lastFailureAgoMs", Value::Null),
    ]);
    assert_eq!(parse(snapshot), Ok(expected));
}

#[test]
fn objects_keep_their_keys_in_order() {
    let value = parse(r#"{"b":1,"a":2,"c":3}"#).unwrap();
    let keys: Vec<&str> = value.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["b", "a", "c"]);
    assert_eq!(value.as_object().unwrap().get("a").and_then(Value::as_u64), Some(2));
}

#[test]
fn numbers_that_are_not_whole_are_read_but_have_no_u64() {
    for text in ["-1", "-0", "0.5", "1.0", "1e3", "1E+3", "2e-1", "-9007199254740991", "18446744073709551616", "1234567890123456789012345678901234567890"] {
        let value = parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
        assert!(matches!(value, Value::Number(_)), "{text}");
        assert_eq!(value.as_u64(), None, "{text}");
        assert_eq!(value.to_json(), text, "printed as read");
    }
}

#[test]
fn malformed_numbers_are_refused() {
    refused_with("01", "leading zero");
    refused_with("-01", "leading zero");
    refused_with("00", "leading zero");
    refused_with("-", "expected a digit");
    refused_with("1.", "expected a digit");
    refused_with(".5", "expected a value");
    refused_with("1e", "expected a digit");
    refused_with("1e+", "expected a digit");
    refused_with("+1", "expected a value");
    refused_with("0x10", "unexpected text after the value");
    refused_with("NaN", "expected a value");
    refused_with("Infinity", "expected a value");
}

#[test]
fn string_escapes_are_decoded() {
    assert_eq!(parse(r#""\" \\ \/ \b \f \n \r \t""#), Ok(string("\" \\ / \u{8} \u{c} \n \r \t")));
    assert_eq!(parse(r#""\u0041\u00e9\u20AC""#), Ok(string("Aé€")));
    assert_eq!(parse(r#""\u0000""#), Ok(string("\0")));
    assert_eq!(parse("\"\u{7f}\""), Ok(string("\u{7f}")), "DEL is not a control character to JSON");
    assert_eq!(parse(r#""\ud83d\ude00 and 😀""#), Ok(string("😀 and 😀")), "a surrogate pair, and the character as is");
    assert_eq!(parse(r#""\uDBFF\uDFFF""#), Ok(string("\u{10FFFF}")));
}

#[test]
fn bad_strings_are_refused() {
    refused_with(r#""\ud83d""#, "unpaired surrogate");
    refused_with(r#""\ud83d x""#, "unpaired surrogate");
    refused_with(r#""\ud83d\u0041""#, "unpaired surrogate");
    refused_with(r#""\ude00""#, "unpaired surrogate");
    refused_with(r#""\u12""#, "4 hex digits");
    refused_with(r#""\u12g4""#, "4 hex digits");
    refused_with(r#""\x41""#, "unknown escape");
    refused_with(r#""\'""#, "unknown escape");
    refused_with("\"a\nb\"", "control character");
    refused_with("\"a\tb\"", "control character");
    refused_with("\"\u{1f}\"", "control character");
    refused_with("\"abc", "unterminated string");
    refused_with("\"abc\\", "unterminated string");
    refused_with("'single'", "expected a value");
}

#[test]
fn malformed_documents_are_refused_where_they_go_wrong() {
    assert_eq!(refusal(""), ("expected a value, found the end of the text".to_string(), 0));
    assert_eq!(refusal("   "), ("expected a value, found the end of the text".to_string(), 3));
    assert_eq!(refusal(r#"{"a":1,}"#), ("expected a key in double quotes".to_string(), 7));
    assert_eq!(refusal("[1,]"), ("expected a value".to_string(), 3));
    assert_eq!(refusal("[1 2]"), ("expected ',' or ']' in an array".to_string(), 3));
    assert_eq!(refusal(r#"{"a" 1}"#), ("expected ':' after a key".to_string(), 5));
    assert_eq!(refusal(r#"{"a":1 "b":2}"#), ("expected ',' or '}' in an object".to_string(), 7));
    assert_eq!(refusal("{a:1}"), ("expected a key in double quotes".to_string(), 1));
    assert_eq!(refusal(r#"{"a":1} x"#), ("unexpected text after the value".to_string(), 8));
    assert_eq!(refusal("1 2"), ("unexpected text after the value".to_string(), 2));
    refused_with("[", "expected a value, found the end");
    refused_with("[1", "expected ',' or ']'");
    refused_with("{", "expected a key");
    refused_with(r#"{"a":"#, "expected a value, found the end");
    refused_with("True", "expected a value");
    refused_with("nul", "lowercase");
    refused_with("nulll", "unexpected text after the value");
    refused_with("\u{feff}{}", "expected a value");
    refused_with("\u{a0}1", "expected a value");
    refused_with("/* comment */ 1", "expected a value");
}

#[test]
fn a_duplicate_key_is_refused_naming_it() {
    assert_eq!(refusal(r#"{"generation":1,"generation":2}"#), (r#"duplicate key "generation""#.to_string(), 16));
    assert_eq!(refusal(r#"{"a":{"b":1,"\u0062":2}}"#).0, r#"duplicate key "b""#, "the same key spelled with an escape");
    assert_eq!(parse(r#"[{"a":1},{"a":2}]"#).map(|value| value.to_json()), Ok(r#"[{"a":1},{"a":2}]"#.to_string()));
}

#[test]
fn nesting_deeper_than_the_limit_is_refused() {
    let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    assert!(parse(&nested(MAX_DEPTH)).is_ok());
    assert_eq!(refusal(&nested(MAX_DEPTH + 1)), ("arrays and objects nested more than 8 deep".to_string(), MAX_DEPTH));
    let objects = format!("{}1{}", r#"{"a":"#.repeat(MAX_DEPTH + 1), "}".repeat(MAX_DEPTH + 1));
    refused_with(&objects, "nested more than 8 deep");
    // Far deeper than any stack would take: refused at the limit, not by overflowing.
    refused_with(&"[".repeat(60_000), "nested more than 8 deep");
}

#[test]
fn texts_longer_than_the_cap_are_refused_before_reading() {
    let padded = |length: usize| format!(r#""{}""#, "x".repeat(length - 2));
    assert_eq!(parse(&padded(MAX_JSON_BYTES)).map(|value| value.as_str().map(str::len)), Ok(Some(MAX_JSON_BYTES - 2)));
    assert_eq!(refusal(&padded(MAX_JSON_BYTES + 1)), (format!("text longer than {MAX_JSON_BYTES} bytes"), MAX_JSON_BYTES));
    // Refused on its length alone: the syntax error at byte 0 is never reached.
    refused_with(&"}".repeat(MAX_JSON_BYTES + 1), "longer than 196608");
}

#[test]
fn printing_reads_back_to_the_same_value() {
    let value = object(&[
        ("text", string("quote \" backslash \\ newline \n tab \t nul \0 unit \u{1f} é 😀")),
        ("numbers", Value::Array(vec![whole(0), whole(u64::MAX), parse("-0.5e-7").unwrap()])),
        ("empty", object(&[])),
        ("nothing", Value::Array(vec![Value::Null, Value::Bool(false)])),
    ]);
    let text = value.to_json();
    assert_eq!(
        text,
        r#"{"text":"quote \" backslash \\ newline \u000a tab \u0009 nul \u0000 unit \u001f é 😀","numbers":[0,18446744073709551615,-0.5e-7],"empty":{},"nothing":[null,false]}"#
    );
    assert_eq!(parse(&text), Ok(value));
}

#[test]
fn whole_numbers_print_in_decimal() {
    for value in [0, 7, 10, 99, 100, 1_099_511_627_775, 9_007_199_254_740_991, u64::MAX] {
        assert_eq!(whole(value).to_json(), value.to_string());
    }
}

#[test]
fn errors_display_the_offset() {
    let error = parse("[1,]").unwrap_err();
    assert_eq!(error.to_string(), "expected a value at byte 3");
}

#[test]
fn an_object_may_have_at_most_256_keys() {
    let object = |count: usize| format!("{{{}}}", (0..count).map(|key| format!(r#""{key}":0"#)).collect::<Vec<_>>().join(","));
    assert_eq!(parse(&object(MAX_KEYS)).map(|value| value.as_object().map(Map::len)), Ok(Some(256)));
    let text = object(MAX_KEYS + 1);
    let last_key = text.rfind(r#""256""#).unwrap();
    assert_eq!(refusal(&text), ("an object with more than 256 keys".to_string(), last_key));
}

#[test]
fn the_wire_documents_refuse_what_the_reader_refuses_as_a_whole_document() {
    use edgebreaker_core::fleet::FleetReport;
    use edgebreaker_core::Snapshot;
    let twice = r#"{"version":1,"successes":1,"successes":2,"failures":0,"tripped":false}"#;
    assert_eq!(FleetReport::from_json(twice).unwrap_err().to_string(), r#"report is not JSON: duplicate key "successes" at byte 27"#);
    let fraction = r#"{"version":1,"successes":1.0,"failures":0,"tripped":false}"#;
    assert_eq!(FleetReport::from_json(fraction).unwrap_err().to_string(), "successes must be a whole number from 0 to 9007199254740991");
    let minus_zero = r#"{"version":1,"successes":-0,"failures":0,"tripped":false}"#;
    assert_eq!(FleetReport::from_json(minus_zero).unwrap_err().field, "successes");
    let huge = r#"{"version":1,"successes":18446744073709551616,"failures":0,"tripped":false}"#;
    assert_eq!(FleetReport::from_json(huge).unwrap_err().field, "successes");
    let deep = format!(r#"{{"version":1,"window":{}{}}}"#, "[".repeat(8), "]".repeat(8));
    assert_eq!(Snapshot::from_json(&deep).unwrap_err().to_string(), "snapshot is not JSON: arrays and objects nested more than 8 deep at byte 29");
    let trailing = r#"{"version":1,"successes":1,"failures":0,"tripped":false} {}"#;
    assert_eq!(FleetReport::from_json(trailing).unwrap_err().to_string(), "report is not JSON: unexpected text after the value at byte 57");
}
