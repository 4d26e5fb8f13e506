#include "tests/support/slack_limits.hpp"

#include <boost/json/object.hpp>

namespace checkpoint::test {

namespace {

std::size_t chars(boost::json::string_view s)
{
    std::size_t n = 0;
    for (char c : s)
        n += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 1;
    return n;
}

struct checker {
    std::string out;

    void limit(const boost::json::object& o, std::string_view key, std::size_t max, const std::string& where)
    {
        if (auto* v = o.if_contains(key); v && v->is_string() && chars(v->get_string()) > max)
            out += where + "." + std::string(key) + " has " + std::to_string(chars(v->get_string())) +
                   " characters; Slack allows " + std::to_string(max) + "\n";
    }

    void text_object(const boost::json::value* v, std::size_t max, const std::string& where)
    {
        if (v && v->is_object())
            limit(v->get_object(), "text", max, where);
    }

    void element(const boost::json::object& e, const std::string& where)
    {
        limit(e, "action_id", 255, where);
        const auto type = e.if_contains("type") ? e.at("type").as_string() : "";
        if (type == "button") {
            text_object(e.if_contains("text"), 75, where + ".text");
            limit(e, "value", 2000, where);
            limit(e, "url", 3000, where);
        }
        text_object(e.if_contains("placeholder"), 150, where + ".placeholder");
        if (auto* opts = e.if_contains("options"); opts && opts->is_array()) {
            if (opts->get_array().size() > 100)
                out += where + ".options has more than 100 options\n";
            for (const auto& opt : opts->get_array())
                option(opt.as_object(), where + ".option");
        }
        if (auto* groups = e.if_contains("option_groups"); groups && groups->is_array()) {
            if (groups->get_array().size() > 100)
                out += where + ".option_groups has more than 100 groups\n";
            for (const auto& g : groups->get_array()) {
                text_object(g.as_object().if_contains("label"), 75, where + ".group.label");
                for (const auto& opt : g.as_object().at("options").as_array())
                    option(opt.as_object(), where + ".group.option");
            }
        }
        if (auto* confirm = e.if_contains("confirm"); confirm && confirm->is_object()) {
            const auto& c = confirm->get_object();
            text_object(c.if_contains("title"), 100, where + ".confirm.title");
            text_object(c.if_contains("text"), 300, where + ".confirm.text");
            text_object(c.if_contains("confirm"), 30, where + ".confirm.confirm");
            text_object(c.if_contains("deny"), 30, where + ".confirm.deny");
        }
    }

    void option(const boost::json::object& o, const std::string& where)
    {
        text_object(o.if_contains("text"), 75, where + ".text");
        text_object(o.if_contains("description"), 75, where + ".description");
        limit(o, "value", 75, where);
    }

    void block(const boost::json::object& b, const std::string& where)
    {
        limit(b, "block_id", 255, where);
        const auto type = b.at("type").as_string();
        if (type == "section") {
            text_object(b.if_contains("text"), 3000, where + ".text");
            if (auto* f = b.if_contains("fields")) {
                if (f->as_array().size() > 10)
                    out += where + ".fields has more than 10 fields\n";
                for (const auto& field : f->as_array())
                    limit(field.as_object(), "text", 2000, where + ".field");
            }
            if (!b.contains("text") && !b.contains("fields"))
                out += where + " has neither text nor fields\n";
            if (auto* acc = b.if_contains("accessory"))
                element(acc->as_object(), where + ".accessory");
        } else if (type == "header") {
            text_object(b.if_contains("text"), 150, where + ".text");
        } else if (type == "context") {
            const auto& els = b.at("elements").as_array();
            if (els.size() > 10)
                out += where + ".elements has more than 10 elements\n";
            for (const auto& e : els)
                limit(e.as_object(), "text", 3000, where + ".element");
        } else if (type == "actions") {
            const auto& els = b.at("elements").as_array();
            if (els.size() > 25)
                out += where + ".elements has more than 25 elements\n";
            for (const auto& e : els)
                element(e.as_object(), where + ".element");
        } else if (type == "input") {
            text_object(b.if_contains("label"), 2000, where + ".label");
            text_object(b.if_contains("hint"), 2000, where + ".hint");
            element(b.at("element").as_object(), where + ".element");
        }
    }
};

} // namespace

std::string slack_limit_violations(const boost::json::value& v)
{
    checker c;
    const auto& o = v.as_object();
    const bool is_view = o.contains("type") && (o.at("type") == "modal" || o.at("type") == "home");
    if (is_view) {
        if (o.at("type") == "modal") {
            c.text_object(o.if_contains("title"), 24, "view.title");
            c.text_object(o.if_contains("submit"), 24, "view.submit");
            c.text_object(o.if_contains("close"), 24, "view.close");
        }
        c.limit(o, "private_metadata", 3000, "view");
        c.limit(o, "callback_id", 255, "view");
    } else {
        c.limit(o, "text", 4000, "message");
    }
    if (auto* blocks = o.if_contains("blocks")) {
        const auto max = is_view ? 100u : 50u;
        const auto& a = blocks->as_array();
        if (a.size() > max)
            c.out += "blocks has " + std::to_string(a.size()) + " blocks; Slack allows " + std::to_string(max) + "\n";
        for (std::size_t i = 0; i < a.size(); ++i)
            c.block(a[i].as_object(), "blocks[" + std::to_string(i) + "]");
    }
    return c.out;
}

} // namespace checkpoint::test
