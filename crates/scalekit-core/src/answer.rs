//! An answer as either HTTP path gives it (reqwest, or the direct path of direct.rs), with its
//! body still unread, and the failures of either: transport.rs reads both the same way.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use crate::direct::{self, DirectError, DirectResponse};

/// An answer whose body has not been read yet. Dropping it closes the connection if the body was
/// not read to its end.
pub enum Answer {
    Reqwest(reqwest::Response),
    /// Boxed: its decoders make it several times the size of reqwest's (which boxes its body).
    Direct(Box<DirectResponse>),
}

impl From<reqwest::Response> for Answer {
    fn from(response: reqwest::Response) -> Self {
        Answer::Reqwest(response)
    }
}

impl From<DirectResponse> for Answer {
    fn from(response: DirectResponse) -> Self {
        Answer::Direct(Box::new(response))
    }
}

impl Answer {
    pub fn status(&self) -> StatusCode {
        match self {
            Answer::Reqwest(r) => r.status(),
            Answer::Direct(r) => r.status(),
        }
    }

    pub fn headers(&self) -> &HeaderMap {
        match self {
            Answer::Reqwest(r) => r.headers(),
            Answer::Direct(r) => r.headers(),
        }
    }

    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        match self {
            Answer::Reqwest(r) => r.headers_mut(),
            Answer::Direct(r) => r.headers_mut(),
        }
    }

    /// The next bytes of the body (decoded), `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, HttpError> {
        Ok(match self {
            Answer::Reqwest(r) => r.chunk().await?,
            Answer::Direct(r) => direct::chunk(r.body_mut()).await?,
        })
    }
}

/// A failure of either path.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error(transparent)]
    Reqwest(#[from] reqwest::Error),
    #[error(transparent)]
    Direct(#[from] DirectError),
}
