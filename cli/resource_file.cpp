#include "cli/resource_file.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <optional>
#include <vector>

namespace checkpoint::cli {

namespace json = boost::json;

namespace {

workflow::error bad(std::string message) { return workflow::error{"invalid_file", std::move(message)}; }

std::optional<std::string> text_of(const json::value& v)
{
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_int64())
        return std::to_string(v.get_int64());
    if (v.is_uint64())
        return std::to_string(v.get_uint64());
    return std::nullopt;
}

// One resource checked and put in the upload shape; `where` is "item 3" or "line 4".
workflow::result<json::object> make_resource(const std::string& where, std::string kind, std::string id,
                                            std::string display_name, json::object labels)
{
    if (id.empty())
        return bad(where + ": id is missing or empty.");
    json::object r;
    // Without one, the server uses the only kind it defines (and says so when it defines several).
    if (!kind.empty())
        r["kind"] = kind;
    r["id"] = id;
    r["displayName"] = display_name.empty() ? id : display_name;
    r["labels"] = std::move(labels);
    return r;
}

workflow::result<json::object> from_json_item(const json::value& v, std::size_t index, std::string_view default_kind)
{
    const std::string where = "item " + std::to_string(index);
    if (!v.is_object())
        return bad(where + ": expected an object with kind, id, displayName and labels.");
    const auto& o = v.get_object();
    std::string kind(default_kind);
    std::string id;
    std::string name;
    json::object labels;
    for (const auto& kv : o) {
        const std::string_view key = kv.key();
        if (key == "kind" || key == "id" || key == "displayName" || key == "display_name" || key == "name") {
            auto t = text_of(kv.value());
            if (!t)
                return bad(where + ": " + std::string(key) + " must be a string" + (key == "id" ? " or a number." : "."));
            if (key == "kind")
                kind = *t;
            else if (key == "id")
                id = *t;
            else
                name = *t;
        } else if (key == "labels") {
            if (!kv.value().is_object())
                return bad(where + ": labels must be an object of strings.");
            for (const auto& l : kv.value().get_object()) {
                auto t = text_of(l.value());
                if (!t && !l.value().is_bool())
                    return bad(where + ": labels." + std::string(l.key()) + " must be a string.");
                labels[l.key()] = t ? *t : (l.value().get_bool() ? "true" : "false");
            }
        } else {
            return bad(where + ": unknown field \"" + std::string(key) +
                       "\"; the fields are kind, id, displayName and labels.");
        }
    }
    return make_resource(where, std::move(kind), std::move(id), std::move(name), std::move(labels));
}

// RFC 4180 records: quoted fields may hold commas, doubled quotes and newlines. Each record comes
// with the line it starts on.
workflow::result<std::vector<std::pair<std::size_t, std::vector<std::string>>>> csv_records(std::string_view text)
{
    std::vector<std::pair<std::size_t, std::vector<std::string>>> out;
    std::vector<std::string> record;
    std::string cell;
    bool quoted = false;
    bool cell_started = false;
    std::size_t line = 1;
    std::size_t record_line = 1;
    auto end_record = [&] {
        record.push_back(std::move(cell));
        cell.clear();
        const bool blank = record.size() == 1 && record[0].empty();
        if (!blank)
            out.emplace_back(record_line, std::move(record));
        record.clear();
        cell_started = false;
    };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n')
                    ++line;
                cell += c;
            }
            continue;
        }
        if (c == '"' && !cell_started) {
            quoted = true;
            cell_started = true;
        } else if (c == '"') {
            return bad("line " + std::to_string(line) + ": a quote inside an unquoted field; quote the whole field.");
        } else if (c == ',') {
            record.push_back(std::move(cell));
            cell.clear();
            cell_started = false;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            end_record();
            ++line;
            record_line = line;
        } else {
            cell += c;
            cell_started = true;
        }
    }
    if (quoted)
        return bad("line " + std::to_string(record_line) + ": a quoted field is never closed.");
    if (cell_started || !record.empty())
        end_record();
    return out;
}

workflow::result<json::array> from_csv(std::string_view text, std::string_view default_kind)
{
    auto records = csv_records(text);
    if (!records)
        return records.error();
    if (records->empty())
        return bad("the CSV file is empty; its first line names the columns, e.g. id,displayName,label.plan");
    const auto& header = records->front().second;
    std::optional<std::size_t> id_col, name_col, kind_col;
    std::vector<std::pair<std::size_t, std::string>> label_cols;
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string h = header[i];
        if (i == 0 && h.starts_with("\xEF\xBB\xBF"))
            h.erase(0, 3);
        if (h == "id")
            id_col = i;
        else if (h == "displayName" || h == "display_name" || h == "name")
            name_col = i;
        else if (h == "kind")
            kind_col = i;
        else if (h.starts_with("label.") && h.size() > 6)
            label_cols.emplace_back(i, h.substr(6));
        else
            return bad("line 1: unknown column \"" + h + "\"; the columns are id, displayName, kind and label.<key>.");
    }
    if (!id_col)
        return bad("line 1: no id column; the first line names the columns, e.g. id,displayName,label.plan");
    json::array out;
    for (std::size_t r = 1; r < records->size(); ++r) {
        const auto& [line, cells] = (*records)[r];
        const std::string where = "line " + std::to_string(line);
        if (cells.size() != header.size())
            return bad(where + ": " + std::to_string(cells.size()) + " fields, but the header has " +
                       std::to_string(header.size()) + ".");
        if (out.size() >= max_upload_resources)
            return bad("more than " + std::to_string(max_upload_resources) +
                       " resources; split the file, the server takes at most that many at once.");
        json::object labels;
        for (const auto& [col, key] : label_cols)
            if (!cells[col].empty())
                labels[key] = cells[col];
        auto res = make_resource(where, kind_col ? cells[*kind_col] : std::string(default_kind), cells[*id_col],
                                 name_col ? cells[*name_col] : std::string(), std::move(labels));
        if (!res)
            return res.error();
        out.push_back(std::move(*res));
    }
    return out;
}

workflow::result<json::array> from_json(std::string_view text, std::string_view default_kind)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec)
        return bad("the file is not valid JSON: " + ec.message() + ".");
    const json::array* items = nullptr;
    json::array single;
    if (v.is_array()) {
        items = &v.get_array();
    } else if (v.is_object() && v.get_object().contains("resources")) {
        const auto& r = v.get_object().at("resources");
        if (!r.is_array())
            return bad("\"resources\" must be an array of resources.");
        items = &r.get_array();
    } else if (v.is_object()) {
        single.push_back(v);
        items = &single;
    } else {
        return bad("expected an array of resources, {\"resources\": [...]}, or one resource object.");
    }
    if (items->size() > max_upload_resources)
        return bad(std::to_string(items->size()) + " resources; the server takes at most " +
                   std::to_string(max_upload_resources) + " at once, so split the file.");
    json::array out;
    for (std::size_t i = 0; i < items->size(); ++i) {
        auto r = from_json_item((*items)[i], i, default_kind);
        if (!r)
            return r.error();
        out.push_back(std::move(*r));
    }
    return out;
}

} // namespace

resource_format guess_format(const std::string& file_name, std::string_view text)
{
    if (file_name.ends_with(".json"))
        return resource_format::json;
    if (file_name.ends_with(".csv"))
        return resource_format::csv;
    for (char c : text) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '[' || c == '{' ? resource_format::json : resource_format::csv;
    }
    return resource_format::csv;
}

workflow::result<json::array> read_resources(std::string_view text, resource_format format,
                                             std::string_view default_kind)
{
    if (text.size() > max_upload_bytes)
        return bad("the file is larger than 8 MiB; split it, the server takes at most that much at once.");
    auto out = format == resource_format::json ? from_json(text, default_kind) : from_csv(text, default_kind);
    if (out && out->empty())
        return bad("the file holds no resources.");
    return out;
}

workflow::result<json::array> read_people(std::string_view text, resource_format format)
{
    if (text.size() > max_upload_bytes)
        return bad("the file is larger than 8 MiB, the most the server takes at once.");
    static constexpr std::string_view columns[] = {"id",   "name",   "email",       "manager",
                                                   "team", "active", "external_id", "slack_id"};
    json::array out;
    if (format == resource_format::json) {
        boost::system::error_code ec;
        auto v = json::parse(text, ec);
        if (ec)
            return bad("the file is not valid JSON: " + ec.message() + ".");
        if (v.is_object() && v.get_object().contains("people") && v.get_object().at("people").is_array())
            out = v.get_object().at("people").get_array();
        else if (v.is_array())
            out = v.get_array();
        else
            return bad("expected an array of people or {\"people\": [...]}, each with id (or email), name, email, "
                       "manager, team, active, external_id, slack_id.");
    } else {
        auto records = csv_records(text);
        if (!records)
            return records.error();
        if (records->empty())
            return bad("the CSV file is empty; its first line names the columns, e.g. id,name,email,manager,team,active");
        auto header = records->front().second;
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (i == 0 && header[i].starts_with("\xEF\xBB\xBF"))
                header[i].erase(0, 3);
            if (std::find(std::begin(columns), std::end(columns), header[i]) == std::end(columns))
                return bad("line 1: unknown column \"" + header[i].substr(0, 40) +
                           "\"; the columns are id, name, email, manager, team, active, external_id and slack_id.");
        }
        for (std::size_t r = 1; r < records->size(); ++r) {
            const auto& [line, cells] = (*records)[r];
            if (cells.size() != header.size())
                return bad("line " + std::to_string(line) + ": " + std::to_string(cells.size()) +
                           " fields, but the header has " + std::to_string(header.size()) + ".");
            json::object person;
            for (std::size_t i = 0; i < cells.size(); ++i)
                if (!cells[i].empty())
                    person[header[i]] = cells[i];
            out.push_back(std::move(person));
        }
    }
    if (out.empty())
        return bad("the file lists no one.");
    return out;
}

} // namespace checkpoint::cli
