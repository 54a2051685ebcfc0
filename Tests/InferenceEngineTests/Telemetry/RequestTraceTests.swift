import InMemoryTracing
import Testing
import Tracing

@testable import InferenceEngine

@Suite(.timeLimit(.minutes(1))) struct RequestTraceTests {
    static func attribute(_ span: FinishedInMemorySpan, _ key: String) -> SpanAttribute? {
        span.attributes.get(key)
    }

    @Test func eachRequestHasQueuePrefillAndDecodeChildren() async throws {
        let tracer = InMemoryTracer()
        let engine = Engine(configuration: Fixtures.configuration(), logger: Fixtures.logger, tracer: tracer)
        let requests = EngineCoreTests.requests(count: 3, seed: 6, sampled: false)
        let results = await engine.generate(batch: requests)

        let spans = tracer.finishedSpans
        #expect(tracer.activeSpans.isEmpty, "every span is ended")
        let roots = spans.filter { $0.operationName == EngineSpanNames.request }
        #expect(roots.count == requests.count)
        #expect(Set(roots.map(\.traceID)).count == requests.count, "one trace per request")
        for (request, result) in zip(requests, results) {
            let root = try #require(
                roots.first { Self.attribute($0, "inference.request.id") == .string(request.id.rawValue) }
            )
            #expect(root.parentSpanID == nil)
            #expect(root.kind == .server)
            let children = spans.filter { $0.parentSpanID == root.spanID }
                .sorted { $0.startInstant.nanosecondsSinceEpoch < $1.startInstant.nanosecondsSinceEpoch }
            #expect(
                children.map(\.operationName) == [
                    EngineSpanNames.queue, EngineSpanNames.prefill, EngineSpanNames.decode,
                ]
            )
            #expect(children.allSatisfy { $0.traceID == root.traceID })
            // The phases follow each other inside the request span.
            for (a, b) in zip(children, children.dropFirst()) {
                #expect(a.endInstant.nanosecondsSinceEpoch <= b.startInstant.nanosecondsSinceEpoch)
            }
            #expect(children.first!.startInstant.nanosecondsSinceEpoch == root.startInstant.nanosecondsSinceEpoch)
            #expect(children.last!.endInstant.nanosecondsSinceEpoch <= root.endInstant.nanosecondsSinceEpoch)
            #expect(Self.attribute(root, "gen_ai.response.finish_reasons") == .stringArray(["length"]))
            #expect(Self.attribute(root, "gen_ai.usage.output_tokens") == .int64(Int64(result.generatedTokens.count)))
            #expect(Self.attribute(root, "gen_ai.usage.input_tokens") == .int64(Int64(request.promptTokens.count)))
            #expect(Self.attribute(root, "gen_ai.request.model") == .string("test-model"))
            #expect(root.status == nil)
        }
        // No step spans at a sample ratio of 0.
        #expect(!spans.contains { $0.operationName == EngineSpanNames.step })
    }

    @Test func requestSpanIsAChildOfTheSubmittersSpan() async throws {
        let tracer = InMemoryTracer()
        let engine = Engine(configuration: Fixtures.configuration(), logger: Fixtures.logger, tracer: tracer)
        let parent = tracer.startSpan("client")
        await ServiceContext.withValue(parent.context) {
            _ = await engine.generate(batch: [GenerationRequest(promptTokens: [1, 2], maxNewTokens: 2)])
        }
        parent.end()
        let root = try #require(tracer.finishedSpans.first { $0.operationName == EngineSpanNames.request })
        #expect(root.parentSpanID == parent.spanID)
        #expect(root.traceID == parent.traceID)
    }

    @Test func failedAndCancelledRequestsEndTheirSpans() async throws {
        let tracer = InMemoryTracer()
        let engine = Engine(configuration: Fixtures.configuration(), logger: Fixtures.logger, tracer: tracer)
        let results = await engine.generate(batch: [GenerationRequest(id: "bad", promptTokens: [], maxNewTokens: 2)])
        #expect(results[0].finishReason == .failed)

        let loop = Task { await engine.run() }
        let request = GenerationRequest(id: "gone", promptTokens: [3, 4], maxNewTokens: 100)
        var iterator = engine.submit(request).makeAsyncIterator()
        _ = try await iterator.next()
        engine.cancel(request.id)
        await #expect(throws: EngineError.self) { while try await iterator.next() != nil {} }
        engine.shutdown(.finishInFlight)
        await loop.value

        let spans = tracer.finishedSpans
        #expect(tracer.activeSpans.isEmpty)
        let failed = try #require(spans.first { Self.attribute($0, "inference.request.id") == .string("bad") })
        #expect(failed.status?.code == .error)
        #expect(failed.errors.count == 1)
        #expect(spans.filter { $0.parentSpanID == failed.spanID }.map(\.operationName) == [EngineSpanNames.queue])

        let cancelled = try #require(spans.first { Self.attribute($0, "inference.request.id") == .string("gone") })
        #expect(Self.attribute(cancelled, "gen_ai.response.finish_reasons") == .stringArray(["cancelled"]))
        #expect(cancelled.status == nil, "cancellation is not an error")
        #expect(
            spans.filter { $0.parentSpanID == cancelled.spanID }.map(\.operationName).sorted() == [
                "decode", "prefill", "queue",
            ]
        )
    }

    @Test func preemptionIsAnEventOnTheRequestSpan() async {
        let tracer = InMemoryTracer()
        let engine = Engine(
            configuration: Fixtures.configuration(numBlocks: 12, maxBatchTokens: 24),
            logger: Fixtures.logger,
            tracer: tracer
        )
        let results = await engine.generate(batch: EngineCoreTests.requests(count: 12, seed: 42, sampled: false))
        let preempted = results.reduce(0) { $0 + $1.preemptions }
        #expect(preempted > 0)
        let events = tracer.finishedSpans.filter { $0.operationName == EngineSpanNames.request }.flatMap(\.events)
        #expect(events.filter { $0.name == "preempted" }.count == preempted)
    }

    @Test func sampledStepsHaveSpansWithBatchAttributes() async throws {
        let tracer = InMemoryTracer()
        let engine = Engine(
            configuration: Fixtures.configuration(spanSampleRatio: 1),
            logger: Fixtures.logger,
            tracer: tracer
        )
        _ = await engine.generate(batch: EngineCoreTests.requests(count: 4, seed: 2, sampled: false))
        let statistics = engine.statistics
        let spans = tracer.finishedSpans
        let steps = spans.filter { $0.operationName == EngineSpanNames.step }
        #expect(steps.count == statistics.steps)
        var tokens: Int64 = 0
        for step in steps {
            #expect(step.parentSpanID == nil)
            let children = spans.filter { $0.parentSpanID == step.spanID }.map(\.operationName)
            #expect(
                children == [EngineSpanNames.scheduleBatch, EngineSpanNames.modelForward, EngineSpanNames.updateBatch]
            )
            guard case .int64(let count) = Self.attribute(step, "batch.tokens"),
                case .int64(let prefill) = Self.attribute(step, "batch.prefill_tokens"),
                case .int64(let decode) = Self.attribute(step, "batch.decode_tokens"),
                case .int64(let size) = Self.attribute(step, "batch.requests")
            else {
                Issue.record("missing batch attributes")
                continue
            }
            #expect(count == prefill + decode)
            #expect(size >= 1 && size <= count)
            tokens += count
        }
        #expect(tokens == Int64(statistics.processedTokens))
    }

    @Test func stepSpansFollowTheSampleRatio() async {
        let tracer = InMemoryTracer()
        let engine = Engine(
            configuration: Fixtures.configuration(spanSampleRatio: 0.25),
            logger: Fixtures.logger,
            tracer: tracer
        )
        _ = await engine.generate(batch: EngineCoreTests.requests(count: 16, seed: 4, sampled: false))
        let steps = engine.statistics.steps
        let sampled = tracer.finishedSpans.filter { $0.operationName == EngineSpanNames.step }.count
        #expect(steps > 20)
        #expect(sampled > 0 && Double(sampled) < 0.6 * Double(steps), "\(sampled) of \(steps) steps sampled")
    }
}
