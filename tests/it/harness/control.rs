//! The emulator's control endpoints (/_harness/...): a few JSON requests on
//! loopback, so a minimal HTTP/1.1 client is all the harness needs.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::Value;

pub fn get(endpoint: &str, path: &str) -> Value {
    request(endpoint, "GET", path, None)
}

pub fn post(endpoint: &str, path: &str, body: &Value) -> Value {
    request(endpoint, "POST", path, Some(body))
}

pub fn delete(endpoint: &str, path: &str) -> Value {
    request(endpoint, "DELETE", path, None)
}

fn request(endpoint: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    let host = endpoint.trim_start_matches("http://");
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut stream = TcpStream::connect(host).expect("connecting to the emulator");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("writing to the emulator");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reading the emulator's answer");
    let (head, payload) = response.split_once("\r\n\r\n").expect("an HTTP answer");
    assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {head}\n{payload}");
    serde_json::from_str(payload).expect("a JSON answer")
}
