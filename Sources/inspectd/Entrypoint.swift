import InspectDaemon

@main
struct Entrypoint {
    static func main() {
        Daemon.main()
    }
}
