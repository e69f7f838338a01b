//! A deliberately misbehaving HTTP/1.1 server on 127.0.0.1, written by hand on a raw
//! `TcpListener` so each test controls every byte, write boundary and pause.
//!
//! Every connection carries one request (`Connection: close`) unless a handler reads the next
//! one itself; the handler gets the request's index (0-based, in arrival order) and the
//! connection.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub at: Instant,
    /// Request line and headers, as sent.
    pub head: String,
    pub body: String,
}

impl Seen {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// The server; it stops when dropped.
pub struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Server {
    /// Starts a server answering request `n` with `handler(n, connection)`.
    pub async fn start<F, Fut>(handler: F) -> Server
    where
        F: Fn(usize, Conn) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let log = Arc::clone(&seen);
        let connections = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::clone(&connections);
        let accept = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                accepted.fetch_add(1, Ordering::SeqCst);
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut stream).await else {
                        return;
                    };
                    let index = {
                        let mut log = log.lock().unwrap();
                        log.push(request);
                        log.len() - 1
                    };
                    handler(index, Conn { stream, log }).await;
                });
            }
        });
        Server {
            addr,
            seen,
            connections,
            accept,
        }
    }

    /// The base URL to configure the client with.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// How many requests arrived so far.
    pub fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    /// How many connections were accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// The requests that arrived so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    Some(Seen {
        at: Instant::now(),
        head: head.trim_end().to_owned(),
        body: String::from_utf8_lossy(&buffer[head_end..head_end + length]).into_owned(),
    })
}

/// One accepted connection whose request has been read.
pub struct Conn {
    stream: TcpStream,
    log: Arc<Mutex<Vec<Seen>>>,
}

impl Conn {
    /// Writes `bytes` as one write; the client hanging up is not an error here.
    pub async fn write(&mut self, bytes: impl AsRef<[u8]>) {
        let _ = self.stream.write_all(bytes.as_ref()).await;
        let _ = self.stream.flush().await;
    }

    /// A complete answer with a `Content-Length` body.
    pub async fn respond(&mut self, status: &str, headers: &[(&str, &str)], body: &str) {
        let mut text = format!("HTTP/1.1 {status}\r\nConnection: close\r\n");
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        self.write(text).await;
    }

    /// The head of a 200 event stream whose body ends when the connection closes.
    pub async fn sse_head(&mut self, request_id: &str) {
        self.write(format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-request-id: {request_id}\r\n\
             Connection: close\r\n\r\n"
        ))
        .await;
    }

    /// Waits (at most `limit`) for another request on this kept-alive connection; it is logged
    /// like the first.
    pub async fn next_request(&mut self, limit: Duration) -> Option<Seen> {
        let request = tokio::time::timeout(limit, read_request(&mut self.stream))
            .await
            .ok()??;
        self.log.lock().unwrap().push(request.clone());
        Some(request)
    }

    /// The port the server listens on.
    pub fn local_port(&self) -> u16 {
        self.stream.local_addr().unwrap().port()
    }

    /// Closes with a TCP reset instead of a FIN.
    pub fn reset(self) {
        let _ = self.stream.set_zero_linger();
        drop(self.stream);
    }

    /// Waits (at most `limit`) for the client to close its end; returns when it did.
    pub async fn client_closed(&mut self, limit: Duration) -> Option<Instant> {
        let mut sink = [0u8; 1024];
        let wait = async {
            loop {
                match self.stream.read(&mut sink).await {
                    Ok(0) | Err(_) => return Instant::now(),
                    Ok(_) => {}
                }
            }
        };
        tokio::time::timeout(limit, wait).await.ok()
    }
}

/// The head and only data chunk of a kept-alive 200 event stream carrying `body`; the
/// response ends with [`LAST_CHUNK`].
pub fn chunked_sse(body: &str) -> String {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{body}\r\n",
        body.len()
    )
}

/// The end of a chunked body.
pub const LAST_CHUNK: &str = "0\r\n\r\n";

/// An SSE event carrying `json`.
pub fn event(json: &str) -> String {
    let kind = json
        .split("\"type\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or("message");
    format!("event: {kind}\ndata: {json}\n\n")
}

/// A text delta event.
pub fn delta(text: &str) -> String {
    event(&format!(
        r#"{{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"{text}"}}"#
    ))
}

/// The `response.completed` event.
pub fn completed() -> String {
    event(
        r#"{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[]}}"#,
    )
}
