//! TCP: the listener, the stream, and the halves a stream splits into.

mod listener;
mod stream;

pub use listener::TcpListener;
pub use stream::TcpStream;
