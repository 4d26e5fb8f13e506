#pragma once

#include "workflow/directory_overlay.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace checkpoint::bot::api::scim {

// The SCIM 2.0 protocol (RFC 7643, 7644) as Okta and Microsoft Entra ID speak it: users and groups turned into
// directory records, PATCH applied to a stored resource, filters and the error shape. No I/O here.

inline constexpr std::string_view user_schema = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group_schema = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view enterprise_schema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view list_schema = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view error_schema = "urn:ietf:params:scim:api:messages:2.0:Error";
inline constexpr std::string_view patch_schema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

inline constexpr std::size_t max_text = 256;
inline constexpr std::size_t max_members = 50'000;

// A refusal as RFC 7644 §3.12 words it: the HTTP status, the scimType (empty for none) and the detail.
struct failure {
    unsigned status;
    std::string scim_type;
    std::string detail;
};

[[noreturn]] void fail(unsigned status, std::string scim_type, std::string detail);

// The record a User resource describes (userName, externalId, displayName or name, the primary email, active, the
// enterprise extension's department as the team and manager.value as the manager). Throws failure when it lacks a
// userName or a field has the wrong type.
workflow::directory_record user_record(const boost::json::object& user);
// Members (their values) and displayName of a Group resource.
workflow::directory_group_record group_record(const boost::json::object& group);

// `ops` (a PatchOp's Operations) applied to `resource`: add, replace, remove (any case), with or without a path;
// paths as `attr`, `attr.sub`, `attr[sub eq "v"]`, `attr[sub eq "v"].sub` and with a schema URN prefix. Throws
// failure (400 invalidPath, invalidValue, noTarget).
void patch(boost::json::object& resource, const boost::json::array& ops);

// Whether `resource` has the top-level attribute `name` (without regard to case).
bool has_attribute(const boost::json::object& resource, std::string_view name);

// A filter `ATTR eq "VALUE"` on one of `attrs` (matched without case): the attribute as spelled in `attrs` and the
// value. Throws failure (400 invalidFilter) for anything else.
struct equality {
    std::string attr;
    std::string value;
};
equality parse_filter(std::string_view filter, std::initializer_list<std::string_view> attrs);

// The resource with id, schemas and meta, as GET answers it.
boost::json::object user_out(const workflow::directory_record& r, std::string_view base_url);
boost::json::object group_out(const workflow::directory_group_record& g, std::string_view base_url);

boost::json::object error_body(const failure& f);

} // namespace checkpoint::bot::api::scim
