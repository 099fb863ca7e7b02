extension ShapeTally {
    /// A count per distinct size: an open-addressing hash table (linear probing, a power-of-two
    /// capacity kept at most half full) keyed by width and height packed into 64 bits and
    /// hashed by one multiplication (Fibonacci hashing). The tally adds every image to it; a
    /// `Dictionary`, hashing with SipHash, took a fifteenth of a survey's user time.
    struct SizeCounts {
        /// Packed sizes; 0 marks an empty slot (widths and heights are at least 1).
        private var keys = [UInt64](repeating: 0, count: 64)
        private var counts = [Int](repeating: 0, count: 64)
        /// 64 minus log2 of the capacity: the hash's top bits pick the slot.
        private var shift = 64 - 6
        /// How many distinct sizes there are.
        private(set) var count = 0

        /// Adds `number` images of size `size`.
        mutating func add(_ size: Size, _ number: Int = 1) {
            precondition(size.width >= 1 && size.height >= 1 && size.width <= UInt32.max && size.height <= UInt32.max,
                         "image sizes come from headers that were checked")
            let key = UInt64(size.width) << 32 | UInt64(size.height)
            var slot = self.slot(of: key)
            if keys[slot] == 0 {
                if (count + 1) * 2 > keys.count {
                    grow()
                    slot = self.slot(of: key)
                }
                keys[slot] = key
                count += 1
            }
            counts[slot] += number
        }

        /// Every size with its count, in no particular order.
        var all: [(size: Size, count: Int)] {
            zip(keys, counts).compactMap { key, count in
                key == 0 ? nil : (Size(width: Int(key >> 32), height: Int(key & 0xFFFF_FFFF)), count)
            }
        }

        /// The slot holding `key`, or the empty slot where it goes.
        private func slot(of key: UInt64) -> Int {
            let mask = keys.count - 1
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> UInt64(shift))
            while keys[slot] != 0 && keys[slot] != key { slot = (slot + 1) & mask }
            return slot
        }

        /// Doubles the capacity and puts every size in its new slot.
        private mutating func grow() {
            let old = zip(keys, counts).filter { $0.0 != 0 }
            keys = [UInt64](repeating: 0, count: keys.count * 2)
            counts = [Int](repeating: 0, count: counts.count * 2)
            shift -= 1
            for (key, number) in old {
                let slot = self.slot(of: key)
                keys[slot] = key
                counts[slot] = number
            }
        }
    }
}
