import Testing

/// Every end-to-end test starts the real `inspectd` in its own /tmp sandbox and speaks
/// its socket as a user would. They run one at a time: they share nothing, but the
/// machine has two cores and several of them load the daemon with 16 clients.
///
/// The feature suites are nested in extensions (one file each), so `.serialized`
/// covers all of them; the time limit is a backstop against a hung daemon (every
/// socket read also has its own 10 s timeout).
@Suite(.serialized, .timeLimit(.minutes(1)))
struct EndToEnd {}
