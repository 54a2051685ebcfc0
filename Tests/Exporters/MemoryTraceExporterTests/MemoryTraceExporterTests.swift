import ComponentKit
import GatewayCore
import MemoryTraceExporter
import SelfTelemetry
import Testing

@Suite struct MemoryTraceExporterTests {
    @Test func consumeStoresAndCountsSpans() throws {
        let registry = TelemetryRegistry()
        let exporter = MemoryTraceExporter(name: "memory/a", store: RecentTraceStore(maxBytes: 600), registry: registry)
        let labels = ["exporter": "memory/a"]
        #expect(
            try exporter.consume(
                batch(service: "s", [spanOfSize(200, trace: 1, id: 1), spanOfSize(200, trace: 2, id: 2)])) == .accepted)
        #expect(registry.value("otelcol_exporter_sent_spans_total", labels: labels) == 2)
        #expect(registry.value("otlp_gateway_trace_store_traces", labels: labels) == 2)
        #expect(registry.value("otlp_gateway_trace_store_bytes", labels: labels) == 400)
        #expect(registry.value("otlp_gateway_trace_store_evicted_traces_total", labels: labels) == 0)
        #expect(registry.value("otlp_gateway_trace_store_dropped_spans_total", labels: labels) == 0)

        // Two more traces evict one; a span too big for the store is dropped, not refused.
        let result = try exporter.consume(
            batch(
                service: "s",
                [
                    spanOfSize(200, trace: 3, id: 3), spanOfSize(200, trace: 4, id: 4),
                    spanOfSize(700, trace: 5, id: 5),
                ]))
        #expect(result == .accepted)
        #expect(registry.value("otelcol_exporter_sent_spans_total", labels: labels) == 4)
        #expect(registry.value("otlp_gateway_trace_store_traces", labels: labels) == 3)
        #expect(registry.value("otlp_gateway_trace_store_bytes", labels: labels) == 600)
        #expect(registry.value("otlp_gateway_trace_store_evicted_traces_total", labels: labels) == 1)
        #expect(registry.value("otlp_gateway_trace_store_dropped_spans_total", labels: labels) == 1)
        #expect(exporter.store.trace(id: traceID(1)) == nil)
        #expect(exporter.api.handle(method: "GET", path: "/api/traces/4", query: "").status == 200)
    }

    @Test func concurrentAddsAndQueriesKeepTheStoreConsistent() async {
        let store = RecentTraceStore(maxBytes: 50_000)
        let writers = 8
        let batchesPerWriter = 200
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for b in 0..<batchesPerWriter {
                        // Each batch adds two spans to its own trace and one to a trace shared by all writers.
                        let own = UInt64(writer * 10_000 + b + 1)
                        let shared = UInt64(1_000_000 + b)
                        store.add(
                            batch(
                                service: "svc\(writer)",
                                [
                                    makeSpan(trace: own, id: 1, name: "root", start: own, end: own + 10),
                                    makeSpan(trace: own, id: 2, parent: 1, name: "child", start: own + 1, end: own + 5),
                                    makeSpan(trace: shared, id: UInt64(writer + 1), name: "shared", start: UInt64(b)),
                                ]))
                    }
                }
                group.addTask {
                    for b in 0..<batchesPerWriter {
                        _ = store.search(TraceQuery(service: "svc\(writer)", limit: 5))
                        _ = store.trace(id: traceID(UInt64(writer * 10_000 + b + 1)))
                        #expect(store.byteCount <= store.maxBytes)
                    }
                }
            }
        }
        let total = writers * batchesPerWriter * 3
        #expect(store.byteCount <= store.maxBytes)
        #expect(store.spanCount + store.droppedSpanCount <= total)
        #expect(store.droppedSpanCount == 0)
        #expect(store.evictedTraceCount > 0)
        // Every stored trace is complete for what arrived after it was (last) created, and counts add up.
        let summaries = store.search(TraceQuery(limit: 1000))
        #expect(summaries.count == min(store.traceCount, 1000))
        #expect(store.search(TraceQuery(spanName: "root", limit: 1000)).allSatisfy { $0.spanCount == 2 })

        // A big store keeps everything.
        let big = RecentTraceStore()
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for b in 0..<batchesPerWriter {
                        big.add(
                            batch(
                                service: "s", [makeSpan(trace: UInt64(b + 1), id: UInt64(writer + 1), start: UInt64(b))]
                            ))
                    }
                }
            }
        }
        #expect(big.spanCount == writers * batchesPerWriter)
        #expect(big.traceCount == batchesPerWriter)
        #expect(big.search(TraceQuery(limit: 1000)).allSatisfy { $0.spanCount == writers })
    }
}
