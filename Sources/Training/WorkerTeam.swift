import Foundation
import Synchronization

/// The threads `Threads.parallelParts` hands parts to: a fixed team that stays awake between
/// the many short parallel passes of a training step.
///
/// A batch of 32 MNIST images runs some twenty parallel passes per step, each 20-500 µs of
/// work. Waking a parked thread (a futex) costs tens of microseconds, so a team whose workers
/// sleep between passes loses a sixth of a step to waking up. Here each worker spins on the
/// team's `state` for a while (`spinLimit`) after finishing its part, picks up the next pass
/// at once, and parks on a condition only when no pass came; the caller wakes parked workers.
///
/// The caller runs part 0 itself and worker `i` runs part `i`; the caller then spins until
/// every participating worker is done. One caller at a time: a pass started while another is
/// running (another thread, or a pass inside a part) runs its parts one after another on the
/// calling thread, which gives the same results since parts write disjoint data.
final class WorkerTeam: @unchecked Sendable {
    /// The process-wide team, grown to `Threads.count - 1` workers on demand.
    static let shared = WorkerTeam()

    /// How long an idle worker spins before it parks.
    private static let spinLimit: Duration = .microseconds(200)

    /// `generation << 16 | parts` of the latest pass; workers below `parts - 1` take part.
    private let state = Atomic<Int>(0)
    /// Workers of the current pass still running.
    private let pending = Atomic<Int>(0)
    /// Workers parked (or about to park) on `wakeUp`.
    private let parked = Atomic<Int>(0)
    /// Held by the caller of the current pass.
    private let busy = Atomic<Bool>(false)
    private let wakeUp = NSCondition()
    /// Guards `workerCount` while the team grows.
    private let growth = NSLock()
    private var workerCount = 0
    /// The current pass's body: written before `state` is published, read by the workers
    /// taking part, which the caller waits for before it writes the next one.
    private var body: ((Int) -> Void)?

    /// Runs `body(part)` for each part in `0..<parts`, part 0 on the calling thread, and
    /// returns when all are done.
    func run(parts: Int, _ body: (Int) -> Void) {
        guard parts > 1 else {
            if parts == 1 { body(0) }
            return
        }
        guard parts < 1 << 16, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            for part in 0..<parts { body(part) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        grow(to: parts - 1)
        withoutActuallyEscaping(body) { body in
            self.body = body
            pending.store(parts - 1, ordering: .relaxed)
            let generation = (state.load(ordering: .relaxed) >> 16) &+ 1
            state.store(generation << 16 | parts, ordering: .sequentiallyConsistent)
            if parked.load(ordering: .sequentiallyConsistent) > 0 {
                wakeUp.lock()
                wakeUp.broadcast()
                wakeUp.unlock()
            }
            body(0)
            var spins = 0
            while pending.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins >= 1 << 12 { sched_yield() }
            }
            self.body = nil
        }
    }

    /// Starts workers until there are `count`.
    private func grow(to count: Int) {
        growth.lock()
        defer { growth.unlock() }
        while workerCount < count {
            // The worker waits for passes after the current one, which it may start too late to see.
            let index = workerCount + 1, generation = state.load(ordering: .relaxed) >> 16
            let thread = Thread { [self] in work(part: index, after: generation) }
            thread.name = "dsprep-train-\(index)"
            thread.start()
            workerCount += 1
        }
    }

    /// Worker `part`'s loop: wait for a pass after `generation` it takes part in, run its
    /// part, report.
    private func work(part: Int, after generation: Int) -> Never {
        var seen = generation
        while true {
            let current = waitForPass(after: seen)
            seen = current >> 16
            guard part < current & 0xFFFF else { continue }
            body!(part)
            pending.subtract(1, ordering: .releasing)
        }
    }

    /// Spins, then parks, until a pass after `generation` is published; returns its state.
    private func waitForPass(after generation: Int) -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + Self.spinLimit
        var spins = 0
        while true {
            let current = state.load(ordering: .acquiring)
            if current >> 16 != generation { return current }
            spins += 1
            guard spins & 0xFF == 0, clock.now >= deadline else { continue }
            wakeUp.lock()
            parked.add(1, ordering: .sequentiallyConsistent)
            while state.load(ordering: .sequentiallyConsistent) >> 16 == generation { wakeUp.wait() }
            parked.subtract(1, ordering: .sequentiallyConsistent)
            wakeUp.unlock()
        }
    }
}
