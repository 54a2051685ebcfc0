/// The dense kernels of the transformer: plain loops over raw Float buffers, written so the optimiser can
/// vectorise the inner loops. All matrices are row-major `[rows][columns]`.
enum Kernels {
    /// `output[r] = sum_c matrix[r][c] * input[c]`.
    @inline(__always)
    static func matVec(
        _ matrix: UnsafePointer<Float>,
        rows: Int,
        columns: Int,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            output[r] = dot(matrix + r * columns, input, count: columns)
        }
    }

    /// `output[r] += sum_c matrix[r][c] * input[c]`: a projection added onto the residual stream.
    @inline(__always)
    static func matVecAdd(
        _ matrix: UnsafePointer<Float>,
        rows: Int,
        columns: Int,
        input: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            output[r] += dot(matrix + r * columns, input, count: columns)
        }
    }

    /// Dot product with four partial sums, so the loop vectorises without reassociation flags.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0: Float = 0
        var s1: Float = 0
        var s2: Float = 0
        var s3: Float = 0
        var i = 0
        while i + 4 <= count {
            s0 += a[i] * b[i]
            s1 += a[i + 1] * b[i + 1]
            s2 += a[i + 2] * b[i + 2]
            s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < count {
            s0 += a[i] * b[i]
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// RMSNorm: `output = input / rms(input) * weight`.
    @inline(__always)
    static func rmsNorm(
        _ input: UnsafePointer<Float>,
        weight: UnsafePointer<Float>,
        count: Int,
        epsilon: Float,
        output: UnsafeMutablePointer<Float>
    ) {
        let meanSquare = dot(input, input, count: count) / Float(count)
        let scale = 1 / (meanSquare + epsilon).squareRoot()
        for i in 0..<count {
            output[i] = input[i] * scale * weight[i]
        }
    }

    /// SiLU (`x * sigmoid(x)`) in place.
    @inline(__always)
    static func silu(_ values: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let x = values[i]
            values[i] = x / (1 + Math.exp(-x))
        }
    }

    /// Rotary position embedding in place on `heads` consecutive heads of `headDim` values: each pair
    /// `(x[2i], x[2i+1])` is rotated by the angle whose cosine and sine are `cos[i]` and `sin[i]`.
    @inline(__always)
    static func applyRotary(
        _ values: UnsafeMutablePointer<Float>,
        heads: Int,
        headDim: Int,
        cos: UnsafePointer<Float>,
        sin: UnsafePointer<Float>
    ) {
        let half = headDim / 2
        for h in 0..<heads {
            let head = values + h * headDim
            for i in 0..<half {
                let x0 = head[2 * i]
                let x1 = head[2 * i + 1]
                head[2 * i] = x0 * cos[i] - x1 * sin[i]
                head[2 * i + 1] = x0 * sin[i] + x1 * cos[i]
            }
        }
    }

    /// Numerically stable softmax in place over `count` values.
    @inline(__always)
    static func softmax(_ values: UnsafeMutablePointer<Float>, count: Int) {
        var maximum = -Float.infinity
        for i in 0..<count where values[i] > maximum { maximum = values[i] }
        var sum: Float = 0
        for i in 0..<count {
            let e = Math.exp(values[i] - maximum)
            values[i] = e
            sum += e
        }
        let inverse = 1 / sum
        for i in 0..<count { values[i] *= inverse }
    }
}
