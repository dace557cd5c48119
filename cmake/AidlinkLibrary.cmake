# aidlink_library(<name> SOURCES <file>... [PUBLIC <dep>...] [PRIVATE <dep>...])
#
# One server folder as one library: target aidlink_<name> with the alias
# aidlink::<name>, so a dependency the wrong way fails to link. Its headers are
# included as "<folder>/<file>.h" from server/; every library links
# aidlink_options publicly and gets our warnings privately.
function(aidlink_library name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;PUBLIC;PRIVATE")
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_SOURCES)
    message(FATAL_ERROR "aidlink_library(${name}): takes SOURCES, PUBLIC and PRIVATE lists only")
  endif()
  add_library(aidlink_${name} ${ARG_SOURCES})
  add_library(aidlink::${name} ALIAS aidlink_${name})
  target_include_directories(aidlink_${name} PUBLIC ${PROJECT_SOURCE_DIR}/server)
  target_link_libraries(aidlink_${name}
    PUBLIC ${ARG_PUBLIC} aidlink_options
    PRIVATE ${ARG_PRIVATE} aidlink_warnings)
endfunction()
