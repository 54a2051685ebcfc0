/// Go's `regexp.Expand` for replacement templates, which Collector and Prometheus configs are written for:
/// `$1`, `${1}`, `$name`, `${name}` name capture groups (an unknown one expands to nothing), `$$` is a `$`.
public enum RegexTemplate {
    public static func expand(_ template: String, _ match: Regex<AnyRegexOutput>.Match) -> String {
        var out = ""
        let chars = Array(template)
        var i = 0
        while i < chars.count {
            guard chars[i] == "$", i + 1 < chars.count else {
                out.append(chars[i])
                i += 1
                continue
            }
            if chars[i + 1] == "$" {
                out.append("$")
                i += 2
                continue
            }
            var name = ""
            var j = i + 1
            if chars[j] == "{" {
                j += 1
                while j < chars.count, chars[j] != "}" {
                    name.append(chars[j])
                    j += 1
                }
                j += 1
            } else {
                while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" {
                    name.append(chars[j])
                    j += 1
                }
            }
            if name.isEmpty {
                out.append("$")
                i += 1
                continue
            }
            if let index = Int(name) {
                if index < match.output.count { out += match.output[index].substring.map(String.init) ?? "" }
            } else if let group = match.output[name] {
                out += group.substring.map(String.init) ?? ""
            }
            i = j
        }
        return out
    }
}
