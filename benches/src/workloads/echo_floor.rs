//! The "mio floor" of the two echo rows: the same echo server and clients
//! as [`echo`](super::echo), written against bare mio.
//!
//! One [`mio::Poll`], one thread, and a hand-written state machine per
//! connection (client and server side alike), driven by edge-triggered
//! events: no executor, no tasks, no wakers, no futures, no timers, no
//! allocation per round trip. What is left is what any event-driven program
//! on this socket API must do: the `read`s, `write`s and `epoll_wait`s, and
//! the bookkeeping of which socket is ready. That is why it is the floor a
//! runtime's figures can be held against: the distance from it is the
//! runtime's own cost (scheduling, waking, polling futures).
//!
//! The semantics are those of [`echo::serve`](super::echo::serve) and
//! [`echo::client`](super::echo::client), byte for byte: the server reads
//! up to 4,096 bytes and writes them all back, until the peer closes; each
//! client sends [`MESSAGE`] bytes (the round number in the first 8), reads
//! the echo whole and checks it before the next round, and closes its
//! stream after its last round. Sockets get `TCP_NODELAY`, as on the
//! runtimes.
//!
//! Like a runtime's cached readiness, a socket's readiness is remembered
//! from its events and cleared by a `WouldBlock`, or by a short read (fewer
//! bytes than asked for: the receive queue is empty, see epoll(7) on
//! edge-triggered stream sockets), so a drained socket costs no extra
//! `read` system call; solo does the same.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token};

use super::echo::MESSAGE;
use super::wrong;

/// The name of the floor's column on the command line (`compare --child
/// echo-latency floor`).
pub const NAME: &str = "floor";

/// How long [`Echo`] waits for any event before it calls the run stalled.
const STALL: Duration = Duration::from_secs(20);

/// The listener's token; connection `i`'s client is `2i`, its server `2i + 1`.
const LISTENER: Token = Token(usize::MAX);

/// What a finished run did, counted on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Round trips the clients completed (each echo checked).
    pub round_trips: u64,
    /// Bytes the server side wrote back.
    pub bytes_echoed: u64,
}

impl Totals {
    /// An error unless `connections` clients did `rounds` round trips each
    /// and the servers echoed exactly their bytes.
    pub fn check(self, connections: u64, rounds: u64) -> io::Result<()> {
        let expected = Totals {
            round_trips: connections * rounds,
            bytes_echoed: connections * rounds * MESSAGE as u64,
        };
        if self == expected {
            Ok(())
        } else {
            Err(wrong(format!(
                "the mio floor did {self:?}, expected {expected:?}"
            )))
        }
    }
}

/// One echo run: a listener, the clients [`connect`](Echo::connect) starts
/// and the server end of each, all on one [`Poll`].
///
/// Call [`connect`](Echo::connect), then optionally
/// [`established`](Echo::established), then [`run`](Echo::run) (the round
/// trips), then [`finish`](Echo::finish) (the servers see every client
/// close). Every step fails if a socket fails, an echo differs from what was
/// sent, or nothing happens for 20 s.
#[derive(Debug)]
pub struct Echo {
    poll: Poll,
    listener: TcpListener,
    addr: SocketAddr,
    rounds: u64,
    /// Whether clients may start their first round once connected.
    go: bool,
    clients: Vec<Client>,
    servers: Vec<Server>,
    /// Clients that finished every round.
    clients_done: usize,
    /// Servers whose peer closed.
    servers_done: usize,
    round_trips: u64,
    bytes_echoed: u64,
}

impl Echo {
    /// Binds a listener on an ephemeral port of 127.0.0.1; each client will
    /// run `rounds` round trips.
    pub fn listen(rounds: u64) -> io::Result<Echo> {
        let poll = Poll::new()?;
        let mut listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))?;
        let addr = listener.local_addr()?;
        poll.registry()
            .register(&mut listener, LISTENER, Interest::READABLE)?;
        Ok(Echo {
            poll,
            listener,
            addr,
            rounds,
            go: false,
            clients: Vec::new(),
            servers: Vec::new(),
            clients_done: 0,
            servers_done: 0,
            round_trips: 0,
            bytes_echoed: 0,
        })
    }

    /// Starts `connections` non-blocking connects. With `go`, each client
    /// starts its rounds as soon as it is connected; without, it waits for
    /// [`run`](Echo::run).
    pub fn connect(&mut self, connections: usize, go: bool) -> io::Result<()> {
        self.go = go;
        for _ in 0..connections {
            let mut stream = TcpStream::connect(self.addr)?;
            let token = Token(2 * self.clients.len());
            self.poll.registry().register(
                &mut stream,
                token,
                Interest::READABLE | Interest::WRITABLE,
            )?;
            self.clients.push(Client::new(stream));
        }
        Ok(())
    }

    /// Runs the loop until every client is connected and every connection
    /// accepted.
    pub fn established(&mut self) -> io::Result<()> {
        self.turn_until(|e| {
            e.servers.len() == e.clients.len()
                && e.clients
                    .iter()
                    .all(|c| !matches!(c.state, State::Connecting))
        })
    }

    /// Lets every client start, and runs the loop until every client has
    /// done its rounds (and closed its stream).
    pub fn run(&mut self) -> io::Result<()> {
        if !self.go {
            self.go = true;
            for i in 0..self.clients.len() {
                self.drive_client(i)?;
            }
        }
        self.turn_until(|e| e.clients_done == e.clients.len())
    }

    /// Runs the loop until every server has seen its client close, and
    /// returns what both sides counted.
    pub fn finish(mut self) -> io::Result<Totals> {
        self.turn_until(|e| e.servers_done == e.clients.len())?;
        Ok(Totals {
            round_trips: self.round_trips,
            bytes_echoed: self.bytes_echoed,
        })
    }

    /// Polls and dispatches events until `done` holds.
    fn turn_until(&mut self, done: impl Fn(&Echo) -> bool) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        while !done(self) {
            self.poll.poll(&mut events, Some(STALL))?;
            if events.is_empty() {
                return Err(wrong(format!(
                    "the mio floor stalled: no event for {} s",
                    STALL.as_secs()
                )));
            }
            for event in events.iter() {
                // An error or hang-up lets both directions run, so the next
                // call reports it.
                let broken = event.is_error() || event.is_read_closed() || event.is_write_closed();
                let readable = event.is_readable() || broken;
                let writable = event.is_writable() || broken;
                let token = event.token();
                if token == LISTENER {
                    self.accept()?;
                } else if token.0 % 2 == 0 {
                    let i = token.0 / 2;
                    let client = &mut self.clients[i];
                    client.readable |= readable;
                    client.writable |= writable;
                    self.drive_client(i)?;
                } else {
                    let i = token.0 / 2;
                    let server = &mut self.servers[i];
                    server.readable |= readable;
                    server.writable |= writable;
                    self.drive_server(i)?;
                }
            }
        }
        Ok(())
    }

    /// Accepts until `WouldBlock`; connection `i`'s server side gets token `2i + 1`.
    fn accept(&mut self) -> io::Result<()> {
        loop {
            let mut stream = match self.listener.accept() {
                Ok((stream, _)) => stream,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) => return Err(e),
            };
            if self.servers.len() == self.clients.len() {
                return Err(wrong(
                    "the mio floor accepted more connections than it made",
                ));
            }
            stream.set_nodelay(true)?;
            let token = Token(2 * self.servers.len() + 1);
            self.poll.registry().register(
                &mut stream,
                token,
                Interest::READABLE | Interest::WRITABLE,
            )?;
            self.servers.push(Server::new(stream));
        }
    }

    /// Runs client `i` as far as its readiness allows.
    fn drive_client(&mut self, i: usize) -> io::Result<()> {
        let client = &mut self.clients[i];
        loop {
            match client.state {
                State::Connecting => {
                    if !client.writable {
                        return Ok(());
                    }
                    // mio's recipe: a writable event, then `take_error`, then
                    // `peer_addr` says whether the connect is done.
                    let stream = client.stream.as_ref().expect("open while connecting");
                    if let Some(e) = stream.take_error()? {
                        return Err(e);
                    }
                    match stream.peer_addr() {
                        Ok(_) => {
                            stream.set_nodelay(true)?;
                            client.state = State::Connected;
                        }
                        Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                            client.writable = false;
                            return Ok(());
                        }
                        Err(e) => return Err(e),
                    }
                }
                State::Connected => {
                    if !self.go {
                        return Ok(());
                    }
                    if self.rounds == 0 {
                        client.close();
                        self.clients_done += 1;
                        return Ok(());
                    }
                    client.start_round();
                }
                State::Sending(sent) => {
                    if !client.writable {
                        return Ok(());
                    }
                    let stream = client.stream.as_mut().expect("open while sending");
                    match stream.write(&client.out[sent..]) {
                        Ok(n) if sent + n == MESSAGE => client.state = State::Receiving(0),
                        Ok(n) => client.state = State::Sending(sent + n),
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => client.writable = false,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                State::Receiving(got) => {
                    if !client.readable {
                        return Ok(());
                    }
                    let stream = client.stream.as_mut().expect("open while receiving");
                    // Room for more than the echo: a longer echo is an error,
                    // and a short read says the socket is drained.
                    match stream.read(&mut client.back[got..]) {
                        Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
                        Ok(n) => {
                            if got + n < client.back.len() {
                                client.readable = false;
                            }
                            client.state = State::Receiving(got + n);
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => client.readable = false,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                    let State::Receiving(got) = client.state else {
                        continue;
                    };
                    if got > MESSAGE {
                        return Err(wrong(format!(
                            "round {}: the echo is longer than what was sent",
                            client.round
                        )));
                    }
                    if got == MESSAGE {
                        if client.back[..MESSAGE] != client.out {
                            return Err(wrong(format!(
                                "round {}: the echo differs from what was sent",
                                client.round
                            )));
                        }
                        self.round_trips += 1;
                        client.round += 1;
                        if client.round == self.rounds {
                            client.close();
                            self.clients_done += 1;
                            return Ok(());
                        }
                        client.start_round();
                    }
                }
                State::Done => return Ok(()),
            }
        }
    }

    /// Runs server `i` as far as its readiness allows: read what is there,
    /// write it all back, repeat; close on the peer's end of stream.
    fn drive_server(&mut self, i: usize) -> io::Result<()> {
        let server = &mut self.servers[i];
        loop {
            let Some(stream) = server.stream.as_mut() else {
                return Ok(());
            };
            if server.start < server.end {
                if !server.writable {
                    return Ok(());
                }
                match stream.write(&server.buf[server.start..server.end]) {
                    Ok(n) => {
                        server.start += n;
                        self.bytes_echoed += n as u64;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => server.writable = false,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            } else {
                if !server.readable {
                    return Ok(());
                }
                match stream.read(&mut server.buf[..]) {
                    Ok(0) => {
                        // Deregister and close; the peer is gone.
                        let mut stream = server.stream.take().expect("checked above");
                        self.poll.registry().deregister(&mut stream)?;
                        self.servers_done += 1;
                        return Ok(());
                    }
                    Ok(n) => {
                        if n < server.buf.len() {
                            server.readable = false;
                        }
                        server.start = 0;
                        server.end = n;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => server.readable = false,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

/// Where a client is in its rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// The non-blocking connect is under way.
    Connecting,
    /// Connected, waiting for [`Echo::run`].
    Connected,
    /// This many bytes of the round's message are written.
    Sending(usize),
    /// This many bytes of the echo are read.
    Receiving(usize),
    /// Every round done, stream closed.
    Done,
}

/// The client end of one connection.
#[derive(Debug)]
struct Client {
    /// `None` once closed.
    stream: Option<TcpStream>,
    state: State,
    /// Rounds completed.
    round: u64,
    out: [u8; MESSAGE],
    back: [u8; 2 * MESSAGE],
    readable: bool,
    writable: bool,
}

impl Client {
    fn new(stream: TcpStream) -> Client {
        Client {
            stream: Some(stream),
            state: State::Connecting,
            round: 0,
            out: [0; MESSAGE],
            back: [0; 2 * MESSAGE],
            readable: false,
            writable: false,
        }
    }

    /// Puts the round number in the message and starts sending it.
    fn start_round(&mut self) {
        self.out[..8].copy_from_slice(&self.round.to_le_bytes());
        self.state = State::Sending(0);
    }

    /// Closes the stream (the server then reads end of stream). Dropping a
    /// mio source deregisters it from epoll with the close, as the runtimes'
    /// streams do on drop.
    fn close(&mut self) {
        self.stream = None;
        self.state = State::Done;
    }
}

/// The server end of one connection: what was read and is not yet written back.
#[derive(Debug)]
struct Server {
    /// `None` once the peer closed.
    stream: Option<TcpStream>,
    /// `buf[start..end]` is still to be written back.
    buf: Box<[u8; 4096]>,
    start: usize,
    end: usize,
    readable: bool,
    writable: bool,
}

impl Server {
    fn new(stream: TcpStream) -> Server {
        Server {
            stream: Some(stream),
            buf: Box::new([0; 4096]),
            start: 0,
            end: 0,
            readable: false,
            writable: false,
        }
    }
}
