//! [`ErrorCode`]: the stable code of every error class of DESIGN.md §2, listed once.

/// Expands `$then! { $( #[doc = "…"] Variant = "CODE", )* }` with every error code of DESIGN.md
/// §2 (the docs as attributes, so that napi sees plain strings).
///
/// The list is written here and nowhere else: codex-core expands it into [`ErrorCode`], and the
/// Node binding into its `#[napi(string_enum)]` twin, so both carry the same variants and
/// strings by construction (and JavaScript can enumerate the codes at run time).
#[macro_export]
macro_rules! with_error_codes {
    ($then:ident) => {
        $then! {
            #[doc = "A sandboxed command failed and the evidence says the sandbox caused it."]
            SandboxDenied = "SANDBOX_DENIED",
            #[doc = "A command ran past its timeout; its process group was killed."]
            ExecTimeout = "EXEC_TIMEOUT",
            #[doc = "A command was killed by a signal it did not get from us."]
            ExecSignal = "EXEC_SIGNAL",
            #[doc = "Landlock is missing or too old for the policy; nothing ran."]
            LandlockRestrict = "LANDLOCK_RESTRICT",
            #[doc = "The seccomp filter could not be installed; nothing ran."]
            SeccompSetup = "SECCOMP_SETUP",
            #[doc = "The sandbox policy cannot be applied as given (a forbidden or plantable root, a"]
            #[doc = "protected path this machine cannot keep read-only); nothing ran."]
            SandboxPolicy = "SANDBOX_POLICY",
            #[doc = "This platform has no sandbox; nothing ran."]
            SandboxUnsupported = "SANDBOX_UNSUPPORTED",
            #[doc = "No `codex-linux-sandbox` executable was found."]
            SandboxExecutableNotFound = "SANDBOX_EXE_NOT_FOUND",
            #[doc = "A response stream broke, or ended without a terminal event."]
            StreamDisconnected = "STREAM_DISCONNECTED",
            #[doc = "No response headers, or no byte of an open stream, within the timeout."]
            StreamTimeout = "STREAM_TIMEOUT",
            #[doc = "The server answered with a status that is not retried."]
            UnexpectedStatus = "UNEXPECTED_STATUS",
            #[doc = "Every retry was used up."]
            RetryLimit = "RETRY_LIMIT",
            #[doc = "The server ended the response with `response.failed` or an `error` event."]
            ResponseFailed = "RESPONSE_FAILED",
            #[doc = "The caller aborted the operation (Node's own code for aborts)."]
            Aborted = "ABORT_ERR",
            #[doc = "A child's pipes or process could not be set up."]
            SpawnFailed = "SPAWN_FAILED",
            #[doc = "An OS error; the error itself carries the errno's name (`ENOENT`…) as its code."]
            Io = "EIO",
            #[doc = "An event was not valid JSON or was over the size limit."]
            InvalidEvent = "INVALID_EVENT",
            #[doc = "A required environment variable is missing."]
            MissingEnvVar = "MISSING_ENV_VAR",
            #[doc = "A bug on our side: a caught panic, a failed internal task."]
            Internal = "INTERNAL",
            #[doc = "An argument cannot be used (a malformed base URL or header, a body that is not a"]
            #[doc = "JSON object); Node's own code for a bad argument value, raised as a `TypeError`."]
            InvalidArgument = "ERR_INVALID_ARG_VALUE",
        }
    };
}

/// Defines [`ErrorCode`] from the list of [`with_error_codes!`].
macro_rules! define_error_code {
    ($($(#[doc = $doc:tt])* $variant:ident = $code:tt,)*) => {
        /// The stable code of an error class (DESIGN.md §2): what JavaScript keys its classes on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in the order of DESIGN.md §2.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as JavaScript sees it, e.g. `"EXEC_TIMEOUT"`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }
        }
    };
}

with_error_codes!(define_error_code);

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_shaped_like_node_codes() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(
                text.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{text}"
            );
        }
    }
}
