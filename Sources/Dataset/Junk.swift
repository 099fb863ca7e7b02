/// Files that archivers and operating systems leave beside real data. They never become data.
public enum Junk {
    /// Why the file at `components` (a relative path) is junk, or nil when it is not.
    ///
    /// Junk: anything under `__MACOSX/`, AppleDouble `._*` files, `.DS_Store`, `Thumbs.db`,
    /// `desktop.ini`, and any hidden file or folder (a name starting with `.`).
    public static func reason(for components: [String]) -> String? {
        for (index, component) in components.enumerated() {
            let isFile = index == components.count - 1
            let lower = component.lowercased()
            if lower == "__macosx" { return "junk: macOS archive metadata (__MACOSX)" }
            if isFile {
                if component.hasPrefix("._") { return "junk: macOS resource fork (._ file)" }
                if lower == ".ds_store" { return "junk: macOS folder settings (.DS_Store)" }
                if lower == "thumbs.db" { return "junk: Windows thumbnail cache (Thumbs.db)" }
                if lower == "desktop.ini" { return "junk: Windows folder settings (desktop.ini)" }
            }
            if component.hasPrefix(".") {
                return isFile ? "junk: hidden file" : "junk: inside hidden folder \(component)"
            }
        }
        return nil
    }
}
