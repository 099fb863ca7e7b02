import DSPrepCLI

@main
enum Entrypoint {
    static func main() async {
        await DSPrep.main()
    }
}
