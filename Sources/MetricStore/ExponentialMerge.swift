/// Adding and rescaling exponential histograms (delta accumulation, native-histogram schema limits).
public enum ExponentialMerge {
    /// `a + b` at the coarser of the two scales (a finer histogram is downscaled by merging adjacent buckets).
    static func merge(_ a: ExponentialHistogramValue, _ b: ExponentialHistogramValue) -> ExponentialHistogramValue {
        let scale = min(a.scale, b.scale)
        let (ap, apo) = downscale(a.positiveCounts, offset: a.positiveOffset, by: a.scale - scale)
        let (bp, bpo) = downscale(b.positiveCounts, offset: b.positiveOffset, by: b.scale - scale)
        let (an, ano) = downscale(a.negativeCounts, offset: a.negativeOffset, by: a.scale - scale)
        let (bn, bno) = downscale(b.negativeCounts, offset: b.negativeOffset, by: b.scale - scale)
        let (pos, posOffset) = add(ap, apo, bp, bpo)
        let (neg, negOffset) = add(an, ano, bn, bno)
        return ExponentialHistogramValue(
            scale: scale, zeroCount: a.zeroCount &+ b.zeroCount, zeroThreshold: max(a.zeroThreshold, b.zeroThreshold),
            positiveOffset: posOffset, positiveCounts: pos, negativeOffset: negOffset, negativeCounts: neg,
            count: a.count &+ b.count, sum: a.sum + b.sum)
    }

    /// Bucket index i at scale s maps to index i >> d at scale s - d.
    public static func downscale(_ counts: [UInt64], offset: Int32, by d: Int32) -> ([UInt64], Int32) {
        guard d > 0, !counts.isEmpty else { return (counts, offset) }
        let first = offset >> d
        let last = (offset + Int32(counts.count) - 1) >> d
        var out = [UInt64](repeating: 0, count: Int(last - first) + 1)
        for (i, c) in counts.enumerated() {
            out[Int(((offset + Int32(i)) >> d) - first)] &+= c
        }
        return (out, first)
    }

    static func add(_ a: [UInt64], _ ao: Int32, _ b: [UInt64], _ bo: Int32) -> ([UInt64], Int32) {
        if a.isEmpty { return (b, bo) }
        if b.isEmpty { return (a, ao) }
        let start = min(ao, bo)
        let end = max(ao + Int32(a.count), bo + Int32(b.count))
        var out = [UInt64](repeating: 0, count: Int(end - start))
        for (i, c) in a.enumerated() { out[Int(ao - start) + i] &+= c }
        for (i, c) in b.enumerated() { out[Int(bo - start) + i] &+= c }
        return (out, start)
    }
}

extension ExponentialHistogramValue {
    /// Classic buckets from the exponential ones, for backends without native histograms: one `le` per bucket
    /// upper bound (negative buckets, the zero bucket, positive buckets), counts cumulative, ending at +Inf.
    public func classicBuckets() -> [(le: Double, cumulativeCount: UInt64)] {
        let base = Double.exp2(Double.exp2(-Double(scale)))
        var out: [(Double, UInt64)] = []
        var running: UInt64 = 0
        // Negative buckets from the most negative: index i covers (-base^(i+1), -base^i], upper bound -base^i.
        for i in stride(from: negativeCounts.count - 1, through: 0, by: -1) {
            running &+= negativeCounts[i]
            // Leading empty negative buckets carry no information (cumulative 0): leave them out.
            if running == 0 { continue }
            out.append((-Double.pow(base, Double(negativeOffset + Int32(i))), running))
        }
        running &+= zeroCount
        out.append((zeroThreshold, running))
        for (i, c) in positiveCounts.enumerated() {
            running &+= c
            out.append((Double.pow(base, Double(positiveOffset + Int32(i) + 1)), running))
        }
        out.append((.infinity, count))
        return out
    }
}

extension Double {
    static func exp2(_ x: Double) -> Double { pow(2.0, x) }
    static func pow(_ a: Double, _ b: Double) -> Double {
        #if canImport(Glibc)
            return Glibc.pow(a, b)
        #else
            return Darwin.pow(a, b)
        #endif
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
