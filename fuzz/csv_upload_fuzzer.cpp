// CSV upload: a resource file as `checkpoint resources upload` reads it (cli/resource_file.hpp), as CSV
// and as JSON, then the upload it makes read by the server the way PUT /api/v1/resources reads it
// (read_resource_list), so what the CLI accepts and what the server accepts are compared too.

#include "bot/integrations/pulled_resources.hpp"
#include "cli/resource_file.hpp"
#include "fuzz_support.hpp"

#include <boost/json/serialize.hpp>

namespace {

using namespace checkpoint;
namespace json = boost::json;

void read_as(std::string_view text, cli::resource_format format)
{
    auto rows = cli::read_resources(text, format, "customer");
    if (!rows) {
        fuzz::check(!rows.error().message.empty(), "a refused file says why");
        return;
    }
    fuzz::check(!rows->empty() && rows->size() <= cli::max_upload_resources, "an accepted file holds 1 to 10,000 resources");
    for (const auto& r : *rows) {
        const auto& o = r.as_object();
        fuzz::check(o.contains("id") && !o.at("id").as_string().empty(), "every resource has an id");
        fuzz::check(o.at("labels").is_object(), "labels are an object");
    }
    // The upload as sent, read back as the server reads it; a refusal there is an answer, not a crash.
    const auto body = json::serialize(json::object{{"resources", *rows}});
    (void)bot::parse_pulled_resources(body, {.max_resources = cli::max_upload_resources});
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const auto text = fuzz::text_of(data, size);
    read_as(text, cli::resource_format::csv);
    read_as(text, cli::resource_format::json);
    (void)cli::guess_format("upload", text);
    return 0;
}
