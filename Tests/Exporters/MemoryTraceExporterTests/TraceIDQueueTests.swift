import GatewayCore
import Testing

@testable import MemoryTraceExporter

@Suite struct TraceIDQueueTests {
    @Test func fifoWithPrependAcrossGrowthAndWrapAround() {
        var queue = TraceIDQueue()
        var model: [UInt64] = []
        #expect(queue.popFirst() == nil)
        // Pops keep the head moving so the ring wraps before and after each growth.
        for n in 1...100 as ClosedRange<UInt64> {
            queue.append(traceID(n))
            model.append(n)
            if n % 3 == 0 {
                #expect(queue.popFirst() == traceID(model.removeFirst()))
            }
            if n % 7 == 0 {
                queue.prepend(traceID(1000 + n))
                model.insert(1000 + n, at: 0)
            }
            #expect(queue.count == model.count)
            #expect(queue.first == traceID(model[0]))
        }
        #expect(queue.elements == model.map { traceID($0) })
        while let id = queue.popFirst() { #expect(id == traceID(model.removeFirst())) }
        #expect(model.isEmpty)
        #expect(queue.isEmpty)
    }
}
