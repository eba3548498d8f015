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

/// A binary answer (e.g. a function's zip), as it came.
pub fn get_bytes(endpoint: &str, path: &str) -> Vec<u8> {
    exchange(endpoint, "GET", path, "")
}

fn request(endpoint: &str, method: &str, path: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let payload = exchange(endpoint, method, path, &body);
    serde_json::from_slice(&payload).expect("a JSON answer")
}

/// One request; the answer's body, after checking it is a 200.
fn exchange(endpoint: &str, method: &str, path: &str, body: &str) -> Vec<u8> {
    let host = endpoint.trim_start_matches("http://");
    let mut stream = TcpStream::connect(host).expect("connecting to the emulator");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("writing to the emulator");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("reading the emulator's answer");
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP answer");
    let (head, payload) = (String::from_utf8_lossy(&response[..split]).to_string(), response[split + 4..].to_vec());
    assert!(head.starts_with("HTTP/1.1 200"), "{method} {path}: {head}\n{}", String::from_utf8_lossy(&payload));
    payload
}
