// swift-tools-version:6.0
import PackageDescription

// inspectd — journal-backed task queues for 双随机、一公开 inspections and
// special-equipment periodic inspections. No package dependencies by design:
// Foundation, Dispatch, Glibc and the toolchain's test libraries only.
let package = Package(
    name: "inspectd",
    products: [
        .executable(name: "inspectd", targets: ["inspectd"]),
        .executable(name: "inspectctl", targets: ["inspectctl"]),
        .executable(name: "inspect-bench", targets: ["inspect-bench"]),
    ],
    targets: [
        // Pure domain: events, state, apply, draws, rules, calendar, digests. No I/O.
        .target(name: "InspectionKit", dependencies: ["CSHA256"]),
        // SHA-256 block compression with the CPU's SHA extensions (x86 SHA-NI), which
        // Swift can't reach; measured ~5x the portable Swift code on the build machine.
        // The Swift implementation remains the fallback and the tests' reference.
        // It also carries `cprefetch` (a cache prefetch hint, also beyond Swift's reach):
        // replay's applier uses it to overlap lookups' cache misses (applier -20 % CPU).
        .target(name: "CSHA256"),
        // The one place that imports Glibc for syscalls: EINTR loops, errno errors,
        // peer credentials. Journal and protocol both need it, so it sits below them.
        .target(name: "Platform"),
        // The append-only file: codec, hash chain, writer, reader, recovery, lock.
        .target(name: "Journal", dependencies: ["InspectionKit", "Platform"]),
        // Request/response types, line framing and the socket client, shared by daemon and CLI.
        .target(name: "ControlProtocol", dependencies: ["InspectionKit", "Platform"]),
        // The running service.
        .target(name: "InspectDaemon", dependencies: ["InspectionKit", "Platform", "Journal", "ControlProtocol"]),
        // The command-line client and offline audit tools.
        .target(name: "InspectCLI", dependencies: ["InspectionKit", "Platform", "Journal", "ControlProtocol"]),
        .executableTarget(name: "inspectd", dependencies: ["InspectDaemon"]),
        .executableTarget(name: "inspectctl", dependencies: ["InspectCLI"]),
        .executableTarget(name: "inspect-bench", dependencies: ["InspectionKit", "Platform", "Journal", "ControlProtocol"]),
        .testTarget(name: "InspectionKitTests", dependencies: ["InspectionKit"]),
        .testTarget(name: "JournalTests", dependencies: ["Journal", "InspectionKit", "Platform"]),
        .testTarget(name: "InspectCLITests", dependencies: ["InspectCLI", "InspectionKit"]),
        .testTarget(name: "ControlProtocolTests", dependencies: ["ControlProtocol", "InspectionKit"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["InspectionKit", "Platform", "Journal", "ControlProtocol", "inspectd", "inspectctl"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
