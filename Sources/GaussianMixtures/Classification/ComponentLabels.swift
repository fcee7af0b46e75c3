// The class names a semi-supervised fit gives its components, in the model
// file as `"component_labels": ["setosa", "versicolor", null]` — one entry per
// component, null for a component no labelled row belongs to. The key is
// optional: files without it are ordinary unlabelled models, and older readers
// ignore it.

extension ModelFile {
    /// The model-file key of the component labels.
    public static let componentLabelsKey = "component_labels"

    /// The `component_labels` member for `ModelFile.encode(_:summary:extra:)`.
    public static func componentLabelsMember(_ labels: [String?]) -> (String, String) {
        (componentLabelsKey, "[" + labels.map { $0.map(JSONWriter.string) ?? "null" }.joined(separator: ", ") + "]")
    }

    /// The component labels of a model file, or `nil` when it has none.
    /// - Throws: `ModelFileError` when the file cannot be read, or the key is not a
    ///   list of one string or null per component.
    public static func componentLabels(path: String) throws(ModelFileError) -> [String?]? {
        let root = try parse(contents(path: path), path: path)
        guard case let .object(o) = root else { throw .notJSON(path: path, reason: "the top level is not an object") }
        return try componentLabels(in: o, path: path)
    }

    static func componentLabels(in o: [String: JSONValue], path: String) throws(ModelFileError) -> [String?]? {
        guard let raw = o[componentLabelsKey] else { return nil }
        guard case let .array(items) = raw else {
            throw .invalid(path: path, key: componentLabelsKey, reason: "expected a list of strings or nulls, found \(raw.typeName)")
        }
        if case let .array(weights)? = o["weights"], weights.count != items.count {
            throw .invalid(path: path, key: componentLabelsKey,
                           reason: "has \(items.count) entries but the model has \(weights.count) components")
        }
        return try items.enumerated().map { (i, item) throws(ModelFileError) -> String? in
            switch item {
            case let .string(s): return s
            case .null: return nil
            default:
                throw .invalid(path: path, key: "\(componentLabelsKey)[\(i)]", reason: "expected a string or null, found \(item.typeName)")
            }
        }
    }
}
