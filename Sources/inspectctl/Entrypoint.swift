import InspectCLI

@main
struct Entrypoint {
    static func main() {
        CLI.main()
    }
}
