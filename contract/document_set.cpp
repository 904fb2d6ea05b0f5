#include "contract/document_set.h"

#include "common/percent.h"

namespace tollgate::contract {
namespace {

namespace fs = std::filesystem;

// Splits "other.yaml#/a/b" into file part and pointer part.
std::pair<std::string_view, std::string_view> split_ref(std::string_view ref) {
  const auto hash = ref.find('#');
  if (hash == std::string_view::npos) return {ref, ""};
  return {ref.substr(0, hash), ref.substr(hash + 1)};
}

std::string sibling_path(const Document& from, std::string_view file) {
  if (file.empty()) return from.path;
  const fs::path base = fs::path(from.path).parent_path();
  return (base / fs::path(std::string(file))).lexically_normal().string();
}

const nlohmann::json* follow_pointer(const nlohmann::json& root, const std::string& pointer) {
  if (pointer.empty()) return &root;
  if (pointer.front() != '/') return nullptr;
  try {
    const nlohmann::json::json_pointer p(pointer);
    if (!root.contains(p)) return nullptr;
    return &root.at(p);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

}  // namespace

NodeRef NodeRef::child(std::string_view key) const {
  if (!node || !node->is_object()) return {};
  auto it = node->find(key);
  if (it == node->end()) return {};
  return {doc, &*it, pointer + "/" + escape_pointer_token(key)};
}

NodeRef NodeRef::item(std::size_t index) const {
  if (!node || !node->is_array() || index >= node->size()) return {};
  return {doc, &(*node)[index], pointer + "/" + std::to_string(index)};
}

DocumentSet DocumentSet::load(const fs::path& root_path) {
  DocumentSet set;
  YamlDocument parsed = load_yaml_file(root_path.string());
  auto doc = std::make_unique<Document>();
  doc->path = root_path.lexically_normal().string();
  doc->name = root_path.filename().string();
  doc->value = std::move(parsed.value);
  doc->sources = std::move(parsed.sources);
  set.add(std::move(doc));
  return set;
}

DocumentSet DocumentSet::parse(const std::string& text, const std::string& name, const fs::path& base_dir) {
  DocumentSet set;
  YamlDocument parsed = parse_yaml(text, name);
  auto doc = std::make_unique<Document>();
  doc->path = (base_dir / name).lexically_normal().string();
  doc->name = name;
  doc->value = std::move(parsed.value);
  doc->sources = std::move(parsed.sources);
  set.add(std::move(doc));
  return set;
}

DocumentSet DocumentSet::from_json(nlohmann::json value, const std::string& name) {
  DocumentSet set;
  set.local_only_ = true;
  auto doc = std::make_unique<Document>();
  doc->path = name;
  doc->name = name;
  doc->value = std::move(value);
  set.add(std::move(doc));
  return set;
}

void DocumentSet::add(std::unique_ptr<Document> doc) {
  docs_.push_back(std::move(doc));
  check_refs(*docs_.back());
}

const Document* DocumentSet::find_file(const std::string& path) const {
  for (const auto& d : docs_)
    if (d->path == path) return d.get();
  return nullptr;
}

// Loads every file a `$ref` names and checks that every pointer resolves.
void DocumentSet::check_refs(const Document& doc) {
  for_each_object(doc.value, [&](const nlohmann::json& node, const std::string& pointer) {
    auto ref = node.find("$ref");
    if (ref == node.end()) return;
    const std::string ref_pointer = pointer + "/$ref";
    if (!ref->is_string()) throw SourceError(doc.sources.locate(doc.path, ref_pointer), "$ref must be a string");
    const std::string text = ref->get<std::string>();
    const auto [file, frag] = split_ref(text);
    if (local_only_ && (text.empty() || text.front() != '#'))
      throw SourceError(doc.sources.locate(doc.path, ref_pointer),
                        "$ref '" + text + "': only references inside the schema ('#/...') are followed");
    const std::string target_path = sibling_path(doc, file);
    const Document* target = find_file(target_path);
    if (!target) {
      YamlDocument parsed;
      try {
        parsed = load_yaml_file(target_path);
      } catch (const SourceError& e) {
        if (e.where().line > 0) throw;  // a syntax error inside the referenced file
        throw SourceError(doc.sources.locate(doc.path, ref_pointer),
                          "$ref '" + text + "': cannot read '" + target_path + "'");
      }
      auto loaded = std::make_unique<Document>();
      loaded->path = target_path;
      loaded->name = fs::path(target_path).filename().string();
      loaded->value = std::move(parsed.value);
      loaded->sources = std::move(parsed.sources);
      add(std::move(loaded));
      target = docs_.back().get();
    }
    if (!follow_pointer(target->value, percent_decode(frag)))
      throw SourceError(doc.sources.locate(doc.path, ref_pointer),
                        "$ref '" + text + "' does not resolve: no '" + std::string(frag) + "' in " + target->name);
  });
}

NodeRef DocumentSet::resolve(const Document& from, std::string_view ref) const {
  const auto [file, frag] = split_ref(ref);
  const Document* target = find_file(sibling_path(from, file));
  if (!target) return {};
  const std::string pointer = percent_decode(frag);
  const nlohmann::json* node = follow_pointer(target->value, pointer);
  if (!node) return {};
  return {target, node, pointer};
}

NodeRef DocumentSet::deref(NodeRef node) const {
  // A chain longer than the number of nodes is a cycle; 64 is ample.
  for (int hops = 0; hops < 64; ++hops) {
    if (!node || !node.node->is_object()) return node;
    auto ref = node.node->find("$ref");
    if (ref == node.node->end() || !ref->is_string()) return node;
    node = resolve(*node.doc, ref->get<std::string>());
  }
  return {};  // a reference cycle
}

}  // namespace tollgate::contract
