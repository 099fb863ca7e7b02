import Foundation

/// An archive entry's name turned into a safe relative path, or refused.
///
/// Rules, applied to the raw bytes of the stored name:
/// - `/` and `\` both separate components (Windows archivers write `PetImages\Cat\0.jpg`).
/// - A name that starts with a separator or a drive letter (`C:`), or has a `..` component,
///   is refused: extracting it would write outside the output folder.
/// - Empty and `.` components are dropped.
/// - Bytes that are not valid UTF-8, and control characters, are written as `%XX`, so every
///   name is printable, unique and reversible; the change is noted.
/// - Each component is normalised to Unicode NFC (macOS archivers store NFD).
public struct EntryPath: Hashable, Sendable, CustomStringConvertible {
    /// Safe, non-empty components: no separators, no `.` or `..`, printable UTF-8, NFC.
    public var components: [String]
    /// What was changed to make the name safe, e.g. "name is not valid UTF-8".
    public var notes: [String] = []

    public init(components: [String]) {
        self.components = components
    }

    /// The path with `/` separators.
    public var description: String { components.joined(separator: "/") }

    /// The last component (the file name).
    public var name: String { components.last ?? "" }

    /// The name's extension in lower case, without the dot ("" when there is none).
    public var pathExtension: String {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return "" }
        return name[name.index(after: dot)...].lowercased()
    }

    /// Why a name is refused.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case absolute
        case parentReference
        case empty

        public var description: String {
            switch self {
            case .absolute: "absolute path refused (it would be written outside the output folder)"
            case .parentReference: "path with '..' refused (it would be written outside the output folder)"
            case .empty: "entry has an empty name"
            }
        }
    }

    /// Makes a safe path from a stored name.
    /// - Throws: `Refusal` for absolute names, names with `..` and empty names.
    public init(raw: [UInt8]) throws(Refusal) {
        let slash = UInt8(ascii: "/"), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":")
        if let first = raw.first, first == slash || first == backslash { throw .absolute }
        if raw.count >= 2, raw[1] == colon, raw[0] < 0x80, Character(Unicode.Scalar(raw[0])).isLetter {
            throw .absolute
        }
        var components: [String] = []
        var notes: Set<String> = []
        for part in raw.split(whereSeparator: { $0 == slash || $0 == backslash }) {
            if part.elementsEqual(".".utf8) { continue }
            if part.elementsEqual("..".utf8) { throw .parentReference }
            components.append(Self.clean(Array(part), notes: &notes))
        }
        if components.isEmpty { throw .empty }
        self.components = components
        self.notes = notes.sorted()
    }

    /// Escapes invalid UTF-8 and control characters as `%XX`, then normalises to NFC.
    private static func clean(_ bytes: [UInt8], notes: inout Set<String>) -> String {
        var text = ""
        var index = 0
        while index < bytes.count {
            let length = validSequenceLength(bytes, at: index)
            if length == 0 {
                text += String(format: "%%%02X", bytes[index])
                notes.insert("name is not valid UTF-8")
                index += 1
                continue
            }
            let scalarText = String(decoding: bytes[index..<index + length], as: UTF8.self)
            if let scalar = scalarText.unicodeScalars.first, scalar.properties.generalCategory == .control {
                text += String(format: "%%%02X", scalar.value)
                notes.insert("name has control characters")
            } else {
                text += scalarText
            }
            index += length
        }
        let normalised = text.precomposedStringWithCanonicalMapping
        if normalised.utf8.count != text.utf8.count || normalised != text {
            notes.insert("name normalised to Unicode NFC")
        }
        return normalised
    }

    /// The length of the well-formed UTF-8 sequence starting at `index`, or 0 if none starts there.
    private static func validSequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (min, max): (UInt8, UInt8) = offset == 1 ? (low, high) : (0x80, 0xBF)
            if byte < min || byte > max { return 0 }
        }
        return length
    }
}

/// Escapes a name for printing on a terminal: control characters and bytes that are not
/// UTF-8 appear as `\xNN`, so a hostile name cannot move the cursor or change colours.
public func terminalEscaped(_ raw: [UInt8]) -> String {
    var text = ""
    for scalar in String(decoding: raw, as: UTF8.self).unicodeScalars {
        if scalar == "\u{FFFD}" || scalar.properties.generalCategory == .control {
            text += scalar.value < 0x100 ? String(format: "\\x%02x", scalar.value) : "\\u{\(String(scalar.value, radix: 16))}"
        } else {
            text.unicodeScalars.append(scalar)
        }
    }
    // Invalid bytes decode to U+FFFD; show the original bytes instead.
    if !String(decoding: raw, as: UTF8.self).utf8.elementsEqual(raw) {
        return raw.map { byte in
            (0x20..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : String(format: "\\x%02x", byte)
        }.joined()
    }
    return text
}
