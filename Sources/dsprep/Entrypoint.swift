import DSPrepCLI

@main
enum Entrypoint {
    static func main() {
        DSPrep.main()
    }
}
